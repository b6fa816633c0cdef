// The complaint list: "select all" ticks every row of the page for a bulk action.
(function () {
  "use strict";
  // On a phone the filter bar and the bulk bar start folded: the rows come first.
  if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (d) { d.open = false; });
  }
  var all = document.querySelector("[data-pick-all]");
  if (!all) return;
  var rows = function () { return document.querySelectorAll('input[name="ids"]'); };
  all.addEventListener("change", function () {
    rows().forEach(function (box) { box.checked = all.checked; });
  });
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "ids") {
      var boxes = Array.prototype.slice.call(rows());
      all.checked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
    }
  });
  var action = document.getElementById("bulk-action");
  var unit = document.getElementById("bulk-unit");
  if (action && unit) {
    var sync = function () { unit.disabled = action.value !== "dispatch"; };
    action.addEventListener("change", sync);
    sync();
  }
})();
