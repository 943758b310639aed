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
  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name === "insured_last_year") { syncHistory(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    syncHistory();
    var bad = document.querySelector('[aria-invalid="true"]');
    if (bad) { bad.focus(); }
  });
})();
