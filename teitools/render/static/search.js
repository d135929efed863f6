// Search of the edition's letters, in the browser, with no server and no library.
// Reads window.TEITOOLS_SEARCH_INDEX (search-index.js); every word typed must occur in a
// letter's text, names or heading. Accents and case are ignored.
(function () {
  "use strict";
  var index = window.TEITOOLS_SEARCH_INDEX || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("search");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !input || !results || !status) {
    return;
  }
  var LIMIT = 100;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var haystacks = index.map(function (entry) {
    return fold(entry.title + " " + entry.names + " " + entry.text);
  });
  var texts = index.map(function (entry) {
    return fold(entry.text);
  });

  function snippet(entry, position, length) {
    if (position < 0) {
      return entry.text.slice(0, 120) + (entry.text.length > 120 ? " …" : "");
    }
    var start = Math.max(0, position - 60);
    var end = Math.min(entry.text.length, position + length + 60);
    return (start > 0 ? "… " : "") + entry.text.slice(start, end) +
      (end < entry.text.length ? " …" : "");
  }

  function show() {
    var words = fold(input.value).split(/\s+/).filter(function (w) { return w.length > 0; });
    results.textContent = "";
    if (words.length === 0) {
      status.textContent = "";
      return;
    }
    var found = [];
    for (var i = 0; i < index.length; i += 1) {
      var haystack = haystacks[i];
      if (words.every(function (w) { return haystack.indexOf(w) !== -1; })) {
        found.push(i);
      }
    }
    status.textContent = found.length === 1 ? "1 letter found" : found.length + " letters found";
    found.slice(0, LIMIT).forEach(function (i) {
      var entry = index[i];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry.href;
      link.textContent = entry.title;
      item.appendChild(link);
      var text = document.createElement("span");
      text.className = "incipit";
      text.textContent = " " + snippet(entry, texts[i].indexOf(words[0]), words[0].length);
      item.appendChild(document.createElement("br"));
      item.appendChild(text);
      results.appendChild(item);
    });
    if (found.length > LIMIT) {
      status.textContent += "; the first " + LIMIT + " are shown";
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show();
  });
  input.addEventListener("input", show);
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    input.value = query;
  }
  if (input.value) {
    show();
  }
})();
