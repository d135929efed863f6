// Search of the edition's letters, in the browser, with no server and no library.
// The index (search-index.js, window.TEITOOLS_SEARCH_INDEX) is loaded on first use, so the
// index page stays light however large the edition. Every word typed must occur in a letter's
// text, names or heading, exactly or nearly: accents and case are ignored, common
// transliteration variants are one (Molotow, Molotoff and Molotov; Jagoda and Yagoda), and
// a word of five letters or more may differ by one letter (two from nine). Results respect
// the index's filters (filters.js), show a snippet cut at word boundaries with the matches
// marked, and the query is kept in the address (?q=…).
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !input || !results || !status) {
    return;
  }
  var LIMIT = 100;
  var CONTEXT = 70; // characters of text either side of the first match
  var index = null;
  var entries = []; // per letter: folded words and their positions in the text
  var vocabulary = {}; // transliteration key -> true

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // One spelling for the variants transliterations give the same name.
  function key(word) {
    return word
      .replace(/shch|schtsch|sch|sh/g, "s")
      .replace(/tsch|tch|ch|tsh/g, "c")
      .replace(/kh|x/g, "h")
      .replace(/zh|j(?=[aeiou])/g, "y")
      .replace(/ph/g, "f")
      .replace(/w/g, "v")
      .replace(/ff\b/g, "v")
      .replace(/ck|q/g, "k")
      .replace(/ts|tz|z/g, "c")
      .replace(/y|j|i/g, "i")
      .replace(/(.)\1+/g, "$1");
  }

  function words(text) {
    var found = [];
    var pattern = /[\p{L}\p{N}]+/gu;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      found.push({ word: match[0], start: match.index, end: match.index + match[0].length });
    }
    return found;
  }

  function prepare() {
    index = window.TEITOOLS_SEARCH_INDEX || [];
    entries = index.map(function (entry) {
      var textWords = words(fold(entry.text)).map(function (w) {
        return { word: w.word, key: key(w.word), start: w.start, end: w.end };
      });
      var other = words(fold(entry.title + " " + entry.names)).map(function (w) {
        return { word: w.word, key: key(w.word) };
      });
      textWords.concat(other).forEach(function (w) { vocabulary[w.key] = true; });
      return { text: textWords, other: other };
    });
  }

  // At most `limit` edits (insertions, deletions, substitutions) between a and b?
  function near(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) {
      return false;
    }
    var previous = [];
    for (var j = 0; j <= b.length; j += 1) { previous.push(j); }
    for (var i = 1; i <= a.length; i += 1) {
      var current = [i];
      var best = i;
      for (var k = 1; k <= b.length; k += 1) {
        var cost = a[i - 1] === b[k - 1] ? 0 : 1;
        current.push(Math.min(previous[k] + 1, current[k - 1] + 1, previous[k - 1] + cost));
        best = Math.min(best, current[k]);
      }
      if (best > limit) {
        return false;
      }
      previous = current;
    }
    return previous[b.length] <= limit;
  }

  // The keys a query word accepts: its own, and the index's keys near enough to it.
  function accepted(word) {
    var own = key(word);
    var keys = {};
    keys[own] = true;
    var limit = word.length >= 9 ? 2 : word.length >= 5 ? 1 : 0;
    if (limit > 0) {
      Object.keys(vocabulary).forEach(function (candidate) {
        if (near(own, candidate, limit)) {
          keys[candidate] = true;
        }
      });
    }
    return { word: word, keys: keys };
  }

  function matches(w, query) {
    return w.word.indexOf(query.word) === 0 || query.keys[w.key] === true;
  }

  function snippet(entry, text, queries) {
    var container = document.createElement("span");
    container.className = "incipit";
    var hits = text.filter(function (w) {
      return queries.some(function (q) { return matches(w, q); });
    });
    var source = entry.text;
    var start = 0;
    var end = Math.min(source.length, 2 * CONTEXT);
    if (hits.length > 0) {
      start = Math.max(0, hits[0].start - CONTEXT);
      end = Math.min(source.length, hits[0].end + CONTEXT);
    }
    // Cut at word boundaries: never in the middle of a word.
    if (start > 0) {
      var space = source.indexOf(" ", start);
      start = space === -1 || space > (hits[0] ? hits[0].start : end) ? start : space + 1;
    }
    if (end < source.length) {
      var back = source.lastIndexOf(" ", end);
      end = back > (hits[0] ? hits[0].end : start) ? back : end;
    }
    container.appendChild(document.createTextNode(start > 0 ? " … " : " "));
    var position = start;
    hits.forEach(function (hit) {
      if (hit.start < start || hit.end > end) {
        return;
      }
      container.appendChild(document.createTextNode(source.slice(position, hit.start)));
      var mark = document.createElement("mark");
      mark.textContent = source.slice(hit.start, hit.end);
      container.appendChild(mark);
      position = hit.end;
    });
    container.appendChild(document.createTextNode(source.slice(position, end) + (end < source.length ? " …" : "")));
    return container;
  }

  function show() {
    if (index === null) {
      return;
    }
    var typed = words(fold(input.value)).map(function (w) { return w.word; });
    results.textContent = "";
    if (typed.length === 0) {
      status.textContent = "";
      return;
    }
    var queries = typed.map(accepted);
    var filters = window.TEITOOLS_FILTERS;
    var found = [];
    for (var i = 0; i < index.length; i += 1) {
      var entry = entries[i];
      var every = queries.every(function (q) {
        return entry.text.some(function (w) { return matches(w, q); }) ||
          entry.other.some(function (w) { return matches(w, q); });
      });
      if (every && (!filters || filters.passes(index[i].href))) {
        found.push(i);
      }
    }
    status.textContent = found.length === 1 ? "1 letter found" : found.length + " letters found";
    found.slice(0, LIMIT).forEach(function (i) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = index[i].href;
      link.textContent = index[i].title;
      item.appendChild(link);
      item.appendChild(document.createElement("br"));
      // The folded words' positions are the text's: folding keeps the length of precomposed
      // (NFC) text, as the index's text is.
      item.appendChild(snippet(index[i], entries[i].text, queries));
      results.appendChild(item);
    });
    if (found.length > LIMIT) {
      status.textContent += "; the first " + LIMIT + " are shown";
    }
  }

  function remember() {
    var params = new URLSearchParams(window.location.search);
    if (input.value.trim()) {
      params.set("q", input.value.trim());
    } else {
      params.delete("q");
    }
    var query = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    } catch (error) {
      // file:// pages in some browsers: search without the address.
    }
  }

  var loading = false;
  function load() {
    if (index !== null || loading) {
      return;
    }
    loading = true;
    status.textContent = "Loading the search index…";
    var script = document.createElement("script");
    script.src = "search-index.js";
    script.onload = function () {
      prepare();
      status.textContent = "";
      show();
    };
    script.onerror = function () {
      status.textContent = "The search index could not be loaded.";
    };
    document.body.appendChild(script);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load();
    show();
  });
  input.addEventListener("focus", load);
  input.addEventListener("input", function () {
    load();
    remember();
    show();
  });
  document.addEventListener("teitools:filters", show);
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    input.value = query;
  }
  if (input.value) {
    load();
  }
})();
