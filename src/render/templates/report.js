// Filter the summary table by area and sort it by a column. Without JavaScript the table is
// plain and complete; the controls stay hidden.
(function () {
  "use strict";
  var table = document.getElementById("summary");
  var select = document.getElementById("area-filter");
  if (!table || !select) return;
  var controls = document.getElementById("summary-controls");
  controls.hidden = false;
  var body = table.tBodies[0];
  var count = document.getElementById("summary-count");
  function apply(area) {
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var hide = area !== "" && row.getAttribute("data-area") !== area;
      row.hidden = hide;
      if (!hide) shown += 1;
    });
    count.textContent = String(shown);
  }
  select.addEventListener("change", function () {
    apply(select.value);
    history.replaceState(null, "", select.value ? "#area=" + select.value : "#");
  });
  var match = /area=([a-z_]+)/.exec(location.hash);
  if (match) { select.value = match[1]; }
  apply(select.value);
  Array.prototype.forEach.call(table.tHead.rows[table.tHead.rows.length - 1].cells, function (th, col) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.querySelectorAll("th"), function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-sort") || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y), c;
        if (!isNaN(nx) && !isNaN(ny)) c = nx - ny;
        else if (!isNaN(nx)) c = -1;      // numbers before `..` and blanks
        else if (!isNaN(ny)) c = 1;
        else c = x.localeCompare(y, document.documentElement.lang);
        return ascending ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
