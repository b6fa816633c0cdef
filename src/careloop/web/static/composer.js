// The complaint page's composer: a chosen reply template fills the reply box (the
// placeholders are already filled in by the server), and a file over the size limit is
// refused before it is sent, with the reason next to the field.
(function () {
  "use strict";
  function onTemplate(event) {
    var select = event.target;
    var option = select.options[select.selectedIndex];
    var box = document.getElementById(select.getAttribute("data-target"));
    if (!box || !option || !option.hasAttribute("data-text")) { return; }
    box.value = option.getAttribute("data-text");
    box.focus();
  }
  function onUpload(event) {
    var form = event.target;
    var input = form.querySelector("input[type=file]");
    var error = form.querySelector(".field-error");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (input && input.files && input.files[0] && input.files[0].size > max) {
      event.preventDefault();
      if (error) { error.textContent = form.getAttribute("data-too-large"); }
      input.focus();
    } else if (error) {
      error.textContent = "";
    }
  }
  function init() {
    document.querySelectorAll("select[data-composer-template]").forEach(function (s) {
      s.addEventListener("change", onTemplate);
    });
    document.querySelectorAll("form.upload[data-max-bytes]").forEach(function (f) {
      f.addEventListener("submit", onUpload);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
