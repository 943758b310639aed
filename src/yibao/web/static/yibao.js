// yibao: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  function syncHistory() {
    var box = document.getElementById("q-last-paid");
    if (!box) { return; }
    var picked = document.querySelector('input[name="insured_last_year"]:checked');
    var show = picked && picked.value === box.getAttribute("data-show-when");
    box.hidden = !show;
  }
  // A date the browser cannot read (e.g. February 30) is sent as empty: say so here.
  function checkDates(form) {
    var first = null;
    var inputs = form.querySelectorAll('input[type="date"][data-bad-date]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var id = "err-" + input.name;
      var old = document.getElementById(id);
      if (!input.validity.badInput) { continue; }
      if (!old) {
        old = document.createElement("p");
        old.className = "error";
        old.id = id;
        old.setAttribute("role", "alert");
        input.parentNode.appendChild(old);
      }
      old.textContent = input.getAttribute("data-bad-date");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      first = first || input;
    }
    if (first) { first.focus(); }
    return first === null;
  }
  document.addEventListener("submit", function (ev) {
    if (ev.target && ev.target.tagName === "FORM" && !checkDates(ev.target)) {
      ev.preventDefault();
    }
  });
  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name === "insured_last_year") { syncHistory(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    syncHistory();
    var bad = document.querySelector('[aria-invalid="true"]');
    if (bad) { bad.focus(); }
  });
})();
