// 督办看板: draw the completion chart (ECharts, vendored) and redraw it after htmx swaps.
(function () {
  function draw() {
    var el = document.getElementById("completion-chart");
    if (!el || !window.echarts) return;
    var data = JSON.parse(el.getAttribute("data-chart") || "{}");
    var old = window.echarts.getInstanceByDom(el);
    if (old) old.dispose();
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["已交办", "已销号", "办结率"] },
      grid: { left: 44, right: 44, bottom: 30, top: 56 },
      xAxis: { type: "category", data: data.months || [] },
      yAxis: [{ type: "value", name: "件" }, { type: "value", name: "%", max: 100 }],
      series: [
        { name: "已交办", type: "line", data: data.assigned || [], itemStyle: { color: "#9e9e9e" } },
        { name: "已销号", type: "bar", barMaxWidth: 36, data: data.closed || [], itemStyle: { color: "#2e7d32" } },
        { name: "办结率", type: "line", yAxisIndex: 1, data: data.rate || [], itemStyle: { color: "#b71c1c" } }
      ]
    });
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
