// Forms that keep what was typed: a POST form is sent in the background; when it is refused the
// server's Chinese message (the error page's data-detail) is shown next to the field it names
// (data-field) and the form stays as it was; when it succeeds the browser goes where the action
// leads (the next page shows the action's note). Forms that answer with a page of their own
// (sign-in, uploads, the 台账 import, the citizens' form) are sent as usual.
(function () {
  var NATIVE = ["/login", "/logout", "/upload", "/upload/confirm", "/ledger/import", "/report"];

  function clear(form) {
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    form.querySelectorAll(".invalid").forEach(function (e) {
      e.classList.remove("invalid");
      e.removeAttribute("aria-invalid");
    });
  }

  function show(form, field, detail) {
    var el = field ? form.elements.namedItem(field) : null;
    if (el && !el.tagName && el.length) el = el[0]; // a group of checkboxes or radios
    var p = document.createElement("p");
    p.className = "field-error";
    p.setAttribute("role", "alert");
    p.textContent = detail;
    if (el && el.type !== "hidden") {
      el.classList.add("invalid");
      el.setAttribute("aria-invalid", "true");
      (el.closest("label") || el).insertAdjacentElement("afterend", p);
      if (el.focus) el.focus();
    } else {
      form.insertAdjacentElement("afterbegin", p);
    }
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post" || form.hasAttribute("data-native")) return;
    // getAttribute: a field named "action" (the case page's forms) shadows form.action
    var action = new URL(form.getAttribute("action") || location.href, location.href);
    if (action.origin !== location.origin || NATIVE.indexOf(action.pathname) >= 0) return;
    ev.preventDefault();
    var data = new FormData(form);
    if (ev.submitter && ev.submitter.name) data.append(ev.submitter.name, ev.submitter.value);
    fetch(action.href, { method: "POST", body: data, credentials: "same-origin" }).then(function (res) {
      if (res.ok && res.redirected) {
        location.assign(res.url + action.hash);
        return;
      }
      return res.text().then(function (html) {
        var box = new DOMParser().parseFromString(html, "text/html").getElementById("form-error");
        if (res.ok || !box) {
          document.open();
          document.write(html);
          document.close();
          return;
        }
        clear(form);
        show(form, box.getAttribute("data-field"), box.getAttribute("data-detail"));
      });
    }).catch(function () {
      clear(form);
      show(form, "", "网络错误，请稍后再试");
    });
  });
})();
