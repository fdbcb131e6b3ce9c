// 复盘 pages: a chart per metric (target against result by year) and the share-met chart (ECharts, vendored).
(function () {
  function init(el) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  function series() {
    var box = document.getElementById("series-charts");
    if (!box || !window.echarts) return;
    var panels = JSON.parse(box.getAttribute("data-charts") || "[]");
    panels.forEach(function (p) {
      var el = document.createElement("div");
      el.className = "chart metric-chart";
      box.appendChild(el);
      var unit = p.unit === "rank" ? "位次" : p.unit;
      init(el).setOption({
        animation: false,
        title: { text: p.metric + (unit ? "（" + unit + "）" : ""), textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { top: 0, right: 0, data: ["目标", "结果"] },
        grid: { left: 48, right: 16, bottom: 28, top: 48 },
        xAxis: { type: "category", data: p.years.map(String) },
        yAxis: { type: "value" },
        series: [
          { name: "目标", type: "line", data: p.targets, itemStyle: { color: "#1565c0" }, lineStyle: { type: "dashed" } },
          { name: "结果", type: "bar", barMaxWidth: 32, data: p.actuals, itemStyle: { color: "#2e7d32" } }
        ]
      });
    });
    box.setAttribute("data-drawn", String(panels.length));
  }
  function share() {
    var el = document.getElementById("share-chart");
    if (!el || !window.echarts) return;
    var data = JSON.parse(el.getAttribute("data-chart") || "{}");
    init(el).setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 44, right: 16, bottom: 64, top: 24 },
      xAxis: { type: "category", data: data.labels || [], axisLabel: { rotate: 40 } },
      yAxis: { type: "value", name: "%", max: 100 },
      series: [{ name: "实现比例", type: "bar", barMaxWidth: 28, data: data.share || [], itemStyle: { color: "#2e7d32" } }]
    });
    el.setAttribute("data-drawn", "1");
  }
  document.addEventListener("DOMContentLoaded", function () { series(); share(); });
})();
