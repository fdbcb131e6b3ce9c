// 计划页: 待分办「全选」 ticks every item of the bulk-assignment form.
document.querySelectorAll("[data-check-all]").forEach(function (box) {
  box.addEventListener("change", function () {
    box.closest("form").querySelectorAll("input[name=item_ids]").forEach(function (c) { c.checked = box.checked; });
  });
});
