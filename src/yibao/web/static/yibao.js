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
  // Console tables become stacked rows on a phone (yibao.css, table.stack): each cell is
  // labelled once here with its column's heading; without this file a table scrolls.
  function labelCells(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) { return; }
    var labels = [];
    for (var h = 0; h < head.cells.length; h++) {
      var text = (head.cells[h].textContent || "").replace(/\s+/g, " ").trim();
      for (var span = 0; span < (head.cells[h].colSpan || 1); span++) { labels.push(text); }
    }
    for (var b = 0; b < table.tBodies.length; b++) {
      var rows = table.tBodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var col = 0;
        for (var c = 0; c < rows[r].cells.length; c++) {
          var cell = rows[r].cells[c];
          if (!cell.hasAttribute("data-label") && (cell.colSpan || 1) < labels.length &&
              labels[col]) {
            cell.setAttribute("data-label", labels[col]);
          }
          col += cell.colSpan || 1;
        }
      }
    }
    table.classList.add("stack");
  }
  function compactNav() {
    var current = document.querySelector(".top nav [aria-current=page]");
    var nav = current && current.parentNode;
    if (nav && nav.scrollWidth > nav.clientWidth) {
      nav.scrollLeft = current.offsetLeft - nav.offsetLeft - 8;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    syncHistory();
    if (document.body.classList.contains("clerk")) {
      var tables = document.querySelectorAll("main table");
      for (var t = 0; t < tables.length; t++) { labelCells(tables[t]); }
      compactNav();
    }
    var bad = document.querySelector('[aria-invalid="true"]');
    if (bad) { bad.focus(); }
  });
})();
