// The letter page's "Cite this letter" block (teitools.cite.html.cite_block): a style chooser
// that shows one style at a time, and a copy button per citation. Without this script every
// style is listed and the buttons stay hidden, so nothing depends on it. Works from file://
// and over http: navigator.clipboard where the browser offers it, otherwise the citation is
// selected and copied with execCommand, or left selected for the reader to copy.
(function () {
  "use strict";
  var block = document.getElementById("cite");
  if (!block) {
    return;
  }
  var chooser = block.querySelector(".cite-choice");
  var select = document.getElementById("cite-style");
  var status = block.querySelector(".cite-status");
  var styles = Array.prototype.slice.call(block.querySelectorAll(".cite-style"));

  function show(key) {
    styles.forEach(function (style) {
      style.hidden = style.getAttribute("data-style") !== key;
    });
  }

  if (chooser && select && styles.length) {
    chooser.hidden = false;
    // The stylesheet then leaves each style's heading to screen readers: the chooser names it.
    block.classList.add("chosen");
    show(select.value);
    select.addEventListener("change", function () {
      show(select.value);
    });
  }

  function say(message) {
    // Emptied first, so that a second "Copied" is announced as well.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function fallback(element) {
    selectText(element);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(copied ? "Copied" : "Selected: press Ctrl+C (⌘C) to copy");
  }

  var marked = null;

  function mark(button) {
    // The button just used carries a tick for a moment (the status line says it in words).
    if (marked) {
      marked.removeAttribute("data-copied");
    }
    marked = button;
    button.setAttribute("data-copied", "");
    window.setTimeout(function () {
      button.removeAttribute("data-copied");
    }, 2000);
  }

  function copy(element, button) {
    var text = element.textContent.replace(/\s+/g, " ").trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          say("Copied");
          mark(button);
        },
        function () {
          fallback(element);
        }
      );
    } else {
      fallback(element);
    }
  }

  Array.prototype.forEach.call(block.querySelectorAll(".cite-copy"), function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(target, button);
    });
  });
})();
