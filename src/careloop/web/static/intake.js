// The intake form fills in what it knows, never over what the agent typed or chose: the
// caller's name, account, tier and product from their history (partials/customer_history),
// and the product the chosen category implies (data-product on its option).
(function () {
  "use strict";
  var touched = {};
  function byId(id) { return document.getElementById(id); }
  // Only a person's input marks a field as chosen; values set here fire no event.
  document.addEventListener("input", function (e) {
    if (e.target && e.target.id) { touched[e.target.id] = true; }
  }, true);
  function fill(id, value) {
    var el = byId(id);
    if (!el || !value || touched[id]) { return; }
    if (el.tagName === "SELECT" || !el.value) { el.value = value; }
  }
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail && e.detail.target;
    if (!target || target.id !== "customer-history") { return; }
    var facts = byId("caller-facts");
    if (!facts) { return; }
    fill("name", facts.dataset.name);
    fill("account", facts.dataset.account);
    fill("tier", facts.dataset.tier);
    var product = byId("product");
    if (product && product.value === "") { fill("product", facts.dataset.product); }
  });
  document.addEventListener("change", function (e) {
    if (!e.target || e.target.id !== "category") { return; }
    var option = e.target.selectedOptions && e.target.selectedOptions[0];
    if (option && option.dataset.product) { fill("product", option.dataset.product); }
  });
})();
