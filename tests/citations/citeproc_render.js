// Render CSL-JSON items with citeproc-js, the processor inside Zotero, for tests/test_cite_consumers.py.
// Reads {"module", "locales", "requests": [{"style", "items", "cites": [{"id", "locator"}], "format"}]}
// as JSON on stdin; writes one {"notes": [...], "bibliography": [...], "entries": [...], "errors": [...]}
// per request, in order, as a JSON list on stdout: "bibliography" of all the request's items
// together, "entries" each item's own entry ("" when the style gives it none), each with the engine
// holding that item alone, as teitools formats one letter at a time.
"use strict";
const fs = require("fs");
const path = require("path");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const CSL = require(input.module);
// The request being rendered: the engines fetch its items and report into its errors.
let current = null;
const sys = {
  retrieveLocale: (lang) => {
    const file = path.join(input.locales, `locales-${lang}.xml`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
  },
  retrieveItem: (id) => current.byId.get(String(id)),
};

// citeproc-js reports bad item data through print (CSL.debug) and goes on: catch it as an error.
CSL.debug = (message) => current.out.errors.push(String(message));
CSL.error = (message) => {
  current.out.errors.push(String(message));
  throw new Error(message);
};

// Building an engine parses the style, which for Chicago takes a second: one engine per style (and
// output format), shared by every request in that style. Each rendering first gives it only the
// items at hand (updateItems), so that it holds nothing of an earlier one: an engine does not
// fetch again an id it holds, and the requests' items share ids.
const engines = new Map();

function engineFor(request) {
  const format = request.format || "text";
  const key = `${request.style}\n${format}`;
  if (!engines.has(key)) {
    const e = new CSL.Engine(sys, fs.readFileSync(request.style, "utf8"), "en-US");
    e.setOutputFormat(format);
    engines.set(key, e);
  }
  const e = engines.get(key);
  e.updateItems([]);
  return e;
}

// Each note with the engine holding that item alone; makeCitationCluster keeps no citation
// history, so each note is a first citation. Then the bibliography of all the items, then each
// item's own, with the engine holding that item alone again.
function render(request) {
  const out = { notes: [], bibliography: [], entries: [], errors: [] };
  current = { byId: new Map(request.items.map((item) => [String(item.id), item])), out };
  try {
    const e = engineFor(request);
    for (const cite of request.cites) {
      const item = { id: cite.id };
      if (cite.locator) {
        item.locator = cite.locator;
        item.label = "page";
      }
      e.updateItems([String(cite.id)]);
      out.notes.push(e.makeCitationCluster([item]));
    }
    e.updateItems(request.items.map((item) => String(item.id)));
    const bib = e.makeBibliography();
    out.bibliography = bib ? bib[1].map((entry) => entry.trim()) : [];
    for (const item of request.items) {
      e.updateItems([String(item.id)]);
      const entry = e.makeBibliography();
      out.entries.push(entry && entry[1].length ? entry[1][0].trim() : "");
    }
  } catch (error) {
    out.errors.push(String(error && error.message ? error.message : error));
  }
  return out;
}

process.stdout.write(JSON.stringify(input.requests.map(render)));
