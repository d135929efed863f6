// The index's filters (teitools.site.filters): correspondent, years, place; in the address.
// Each letter of #letter-list carries data-earliest, data-latest (YYYY-MM-DD), data-senders,
// data-recipients and data-places (space-separated keys). The page lists the first
// data-page letters; a large edition's others are rows of window.TEITOOLS_LETTERS
// (index-letters.js), made into list items only when they are to be shown, so that the
// page of 10,000 letters holds no more than it shows. The choices live in the URL
// (?person=…&sender=…&recipient=…&from=YYYY[-MM]&to=YYYY[-MM]&place=…), so a view can be
// linked and survives a reload. The search (search.js) asks window.TEITOOLS_FILTERS.passes().
(function () {
  "use strict";
  var list = document.getElementById("letter-list");
  var form = document.getElementById("filters");
  var status = document.getElementById("filter-status");
  var more = document.getElementById("show-more");
  if (!list || !form || !status || !more) {
    return;
  }
  var PAGE = parseInt(list.getAttribute("data-page"), 10) || 200;
  var KEYS = ["person", "sender", "recipient", "from", "to", "place"];
  // The order of the filters' attributes in a row of TEITOOLS_LETTERS, after its five fields.
  var DATA = ["earliest", "latest", "senders", "recipients", "places"];
  // Every letter: {href, data, element (null until a row is first shown), row}.
  var items = Array.prototype.slice.call(list.children).map(function (element) {
    var data = {};
    DATA.forEach(function (name) {
      data[name] = element.getAttribute("data-" + name) || "";
    });
    var link = element.querySelector("a");
    return { href: link ? link.getAttribute("href") : "", data: data, element: element, row: null };
  });
  (window.TEITOOLS_LETTERS || []).forEach(function (row) {
    var data = {};
    DATA.forEach(function (name, position) {
      data[name] = row[5 + position];
    });
    items.push({ href: row[2], data: data, element: null, row: row });
  });
  var byHref = {};
  items.forEach(function (item) {
    if (item.href) {
      byHref[item.href] = item;
    }
  });
  var shown = PAGE;

  function span(css, text) {
    var element = document.createElement("span");
    element.className = css;
    element.textContent = text;
    return element;
  }

  function build(position) {
    // The same markup as the page's own items (templates/index.html).
    var item = items[position];
    var row = item.row;
    var element = document.createElement("li");
    DATA.forEach(function (name) {
      element.setAttribute("data-" + name, item.data[name]);
    });
    element.appendChild(span(row[1] ? "date uncertain" : "date", row[0]));
    var link = document.createElement("a");
    link.setAttribute("href", row[2]);
    link.textContent = row[3];
    element.appendChild(link);
    element.appendChild(span("incipit", row[4]));
    var next = null;
    for (var later = position + 1; later < items.length && next === null; later += 1) {
      next = items[later].element;
    }
    list.insertBefore(element, next);
    item.element = element;
  }
  form.hidden = false;

  function field(name) {
    return form.elements.namedItem(name);
  }

  function choices() {
    var params = new URLSearchParams(window.location.search);
    var chosen = {};
    KEYS.forEach(function (key) {
      var value = params.get(key);
      if (value) {
        chosen[key] = value;
      }
    });
    return chosen;
  }

  function bound(value, end) {
    // "1932" -> "1932-01-01" (start) or "1932-12-31" (end); "1932-07" -> "1932-07-01" / "1932-07-31".
    if (!/^[0-9]{4}(-[0-9]{2})?$/.test(value)) {
      return null;
    }
    if (value.length === 4) {
      return value + (end ? "-12-31" : "-01-01");
    }
    return value + (end ? "-31" : "-01");
  }

  function tokens(item, name) {
    return item.data[name].split(" ");
  }

  function passes(item, chosen) {
    if (chosen.person && tokens(item, "senders").concat(tokens(item, "recipients")).indexOf(chosen.person) === -1) {
      return false;
    }
    if (chosen.sender && tokens(item, "senders").indexOf(chosen.sender) === -1) {
      return false;
    }
    if (chosen.recipient && tokens(item, "recipients").indexOf(chosen.recipient) === -1) {
      return false;
    }
    if (chosen.place && tokens(item, "places").indexOf(chosen.place) === -1) {
      return false;
    }
    var from = chosen.from ? bound(chosen.from, false) : null;
    var to = chosen.to ? bound(chosen.to, true) : null;
    if (from || to) {
      var earliest = item.data.earliest;
      var latest = item.data.latest;
      if (!earliest) {
        return false; // an undated letter is in no year
      }
      if ((from && latest < from) || (to && earliest > to)) {
        return false;
      }
    }
    return true;
  }

  function describe(chosen) {
    var parts = [];
    function name(select, key) {
      var option = select && Array.prototype.find.call(select.options, function (o) { return o.value === key; });
      return option ? option.textContent : decodeURIComponent(key).replace(/^name:/, "");
    }
    if (chosen.person) { parts.push("correspondent " + name(field("person"), chosen.person)); }
    if (chosen.sender) { parts.push("written by " + name(field("person"), chosen.sender)); }
    if (chosen.recipient) { parts.push("written to " + name(field("person"), chosen.recipient)); }
    if (chosen.from) { parts.push("from " + chosen.from); }
    if (chosen.to) { parts.push("to " + chosen.to); }
    if (chosen.place) { parts.push("place " + name(field("place"), chosen.place)); }
    return parts.join("; ");
  }

  function apply() {
    var chosen = choices();
    KEYS.forEach(function (key) {
      var input = field(key);
      if (input) {
        input.value = chosen[key] || "";
      }
    });
    var passing = 0;
    items.forEach(function (item, position) {
      var ok = passes(item, chosen);
      var visible = ok && passing < shown;
      if (visible && item.element === null) {
        build(position);
      }
      if (item.element !== null) {
        item.element.hidden = !visible;
      }
      if (ok) {
        passing += 1;
      }
    });
    var described = describe(chosen);
    status.textContent = described ? passing + " of " + items.length + " letters: " + described : "";
    more.hidden = passing <= shown;
    if (!more.hidden) {
      more.textContent = "Show more letters (" + Math.min(shown, passing) + " of " + passing + " shown)";
    }
    document.dispatchEvent(new CustomEvent("teitools:filters"));
  }

  function update(changes) {
    var params = new URLSearchParams(window.location.search);
    Object.keys(changes).forEach(function (key) {
      if (changes[key]) {
        params.set(key, changes[key]);
      } else {
        params.delete(key);
      }
    });
    var query = params.toString();
    var address = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    try {
      window.history.replaceState(null, "", address);
    } catch (error) {
      // Some browsers refuse history changes on file:// pages: filter without the address.
    }
    shown = PAGE;
    apply();
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.name && KEYS.indexOf(target.name) !== -1) {
      var changes = {};
      changes[target.name] = target.value.trim();
      if (target.name === "person") {
        changes.sender = "";
        changes.recipient = "";
      }
      update(changes);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  document.getElementById("filter-clear").addEventListener("click", function () {
    var changes = {};
    KEYS.forEach(function (key) { changes[key] = ""; });
    update(changes);
  });
  more.addEventListener("click", function () {
    shown += PAGE;
    apply();
  });

  window.TEITOOLS_FILTERS = {
    passes: function (href) {
      var item = byHref[href];
      return !item || passes(item, choices());
    },
    update: update
  };
  apply();
})();
