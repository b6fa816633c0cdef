// Keyboard shortcuts for the agent's daily moves (docs/keyboard.md).
//
// Single keys without a modifier, as Gmail and GitHub have them: a browser or the system
// binds nothing to a bare letter, so nothing here clashes with Alt/Ctrl/Cmd shortcuts. A key
// never fires while the user types (an input, a text area, a select, an editable element,
// or an input method composing Chinese), nor with a modifier held, so the browser's own
// shortcuts (Ctrl+F, Alt+D …) keep working. Where a shortcut's target is not offered to the
// user (no intake link in the header: not their role), the key does nothing.
(function () {
  "use strict";

  var PREFIX_WAIT_MS = 1500; // "g" then a second key, as GitHub's g-prefixed moves
  var pendingG = false;
  var pendingTimer = null;

  function typing(event) {
    if (event.isComposing || event.keyCode === 229) return true;
    var el = event.target;
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return true;
    return Boolean(el.isContentEditable);
  }

  function offered(path) {
    // The header offers the links the user's role may follow.
    return document.querySelector('header.top a[href="' + path + '"]') !== null;
  }

  function go(path) {
    window.location.assign(path);
  }

  function help() {
    return document.getElementById("shortcuts");
  }

  function openHelp() {
    var dialog = help();
    if (dialog && !dialog.open) dialog.showModal();
  }

  function closeHelp() {
    var dialog = help();
    if (dialog && dialog.open) dialog.close();
  }

  function revealAndFocus(el) {
    // A folded composer (<details>) is opened first, then the field takes the focus.
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (p.tagName && p.tagName.toLowerCase() === "details") p.open = true;
    }
    el.focus();
    if (el.scrollIntoView) el.scrollIntoView({ block: "center" });
  }

  function focusSearch() {
    // The complaint list's keyword box (#f-q) or one a page marks; never another search
    // field that happens to be called q (the intake's category filter, the unit picker).
    var box = document.querySelector('[data-shortcut="search"], #f-q');
    if (!box) return false;
    revealAndFocus(box);
    if (box.select) box.select();
    return true;
  }

  function search() {
    // The page's own keyword box, else the complaint list's (focused when it loads).
    if (!focusSearch()) go("/complaints?open=1#search");
  }

  function reply() {
    var field = document.querySelector(
      '[data-shortcut="reply"], form[data-action="reply"] textarea, #text-reply'
    );
    if (field) revealAndFocus(field);
  }

  var SINGLE = {
    "?": openHelp,
    "/": search,
    c: function () {
      if (offered("/agent/intake")) go("/agent/intake");
    },
    n: function () {
      if (offered("/agent/queue")) go("/agent/queue/next");
    },
    r: reply,
  };

  var AFTER_G = {
    q: function () {
      if (offered("/agent/queue")) go("/agent/queue");
    },
    l: function () {
      go("/complaints?open=1");
    },
    u: function () {
      if (offered("/unit/queue")) go("/unit/queue");
    },
  };

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event)) return;
    var dialog = help();
    if (dialog && dialog.open) return; // Esc closes it (the dialog's own behaviour)
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      clearTimeout(pendingTimer);
      var move = AFTER_G[key];
      if (move) {
        event.preventDefault();
        move();
      }
      return;
    }
    if (key === "g") {
      pendingG = true;
      pendingTimer = setTimeout(function () {
        pendingG = false;
      }, PREFIX_WAIT_MS);
      return;
    }
    var action = SINGLE[key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  function init() {
    document.addEventListener("keydown", onKey);
    var openers = document.querySelectorAll("[data-shortcuts-open]");
    for (var i = 0; i < openers.length; i++) {
      openers[i].addEventListener("click", function (event) {
        event.preventDefault();
        openHelp();
      });
    }
    var closers = document.querySelectorAll("[data-shortcuts-close]");
    for (var j = 0; j < closers.length; j++) {
      closers[j].addEventListener("click", closeHelp);
    }
    var dialog = help();
    if (dialog) {
      // A click on the backdrop (outside the box) closes it too.
      dialog.addEventListener("click", function (event) {
        if (event.target === dialog) closeHelp();
      });
    }
    if (window.location.hash === "#search") focusSearch();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
