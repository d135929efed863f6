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

// Building an engine parses the style, which for Chicago takes a second: the engines of a style
// (and output format) are built once and shared by every request in that style.
const engines = new Map();

function enginesFor(request) {
  const format = request.format || "text";
  const key = `${request.style}\n${format}`;
  if (!engines.has(key)) {
    const style = fs.readFileSync(request.style, "utf8");
    const make = () => {
      const e = new CSL.Engine(sys, style, "en-US");
      e.setOutputFormat(format);
      return e;
    };
    engines.set(key, { notes: make(), all: make(), single: make() });
  }
  const found = engines.get(key);
  // An engine keeps the items it was last given (and does not fetch a registered id again):
  // emptied, it holds nothing of an earlier request, whose items may share this one's ids.
  for (const e of Object.values(found)) {
    e.updateItems([]);
  }
  return found;
}

// One engine for the notes and one for the entries, reset to the one item each time
// (updateItems). makeCitationCluster keeps no citation history, so each note is a first citation.
function render(request) {
  const out = { notes: [], bibliography: [], entries: [], errors: [] };
  current = { byId: new Map(request.items.map((item) => [String(item.id), item])), out };
  try {
    const { notes, all, single } = enginesFor(request);
    for (const cite of request.cites) {
      const item = { id: cite.id };
      if (cite.locator) {
        item.locator = cite.locator;
        item.label = "page";
      }
      notes.updateItems([String(cite.id)]);
      out.notes.push(notes.makeCitationCluster([item]));
    }
    all.updateItems(request.items.map((item) => String(item.id)));
    const bib = all.makeBibliography();
    out.bibliography = bib ? bib[1].map((entry) => entry.trim()) : [];
    for (const item of request.items) {
      single.updateItems([String(item.id)]);
      const entry = single.makeBibliography();
      out.entries.push(entry && entry[1].length ? entry[1][0].trim() : "");
    }
  } catch (error) {
    out.errors.push(String(error && error.message ? error.message : error));
  }
  return out;
}

process.stdout.write(JSON.stringify(input.requests.map(render)));
