/* Work lists refresh themselves (htmx polling on [data-live]); a refresh must never take
   away what a person is typing, nor run while nobody is looking at the page. */
(function () {
  "use strict";
  function busy(live) {
    if (document.hidden) { return true; }
    var active = document.activeElement;
    if (active && live.contains(active) && active.matches("input, textarea, select")) { return true; }
    return live.querySelector("[data-edited]") !== null;
  }
  document.addEventListener("input", function (evt) {
    var target = evt.target;
    if (target instanceof Element && target.closest("[data-live]")) {
      target.setAttribute("data-edited", "");
    }
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var live = evt.detail && evt.detail.elt;
    if (live instanceof Element && live.hasAttribute("data-live") && busy(live)) {
      evt.preventDefault();
    }
  });
}());
