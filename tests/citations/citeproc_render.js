// Render CSL-JSON items with citeproc-js, the processor inside Zotero, for tests/test_cite_consumers.py.
// Reads {"module", "style", "locales", "items", "cites": [{"id", "locator"}], "format"} as JSON on
// stdin; writes {"notes": [...], "bibliography": [...], "entries": [...], "errors": [...]} as JSON
// on stdout: "bibliography" of all the items together, "entries" each item's own entry ("" when
// the style gives it none), each with the engine holding that item alone, as teitools formats one
// letter at a time.
"use strict";
const fs = require("fs");
const path = require("path");

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const CSL = require(request.module);
const byId = new Map(request.items.map((item) => [String(item.id), item]));
const errors = [];
const sys = {
  retrieveLocale: (lang) => {
    const file = path.join(request.locales, `locales-${lang}.xml`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
  },
  retrieveItem: (id) => byId.get(String(id)),
};
const style = fs.readFileSync(request.style, "utf8");
const out = { notes: [], bibliography: [], entries: [], errors };

// citeproc-js reports bad item data through print (CSL.debug) and goes on: catch it as an error.
CSL.debug = (message) => errors.push(String(message));
CSL.error = (message) => {
  errors.push(String(message));
  throw new Error(message);
};

function engine() {
  const e = new CSL.Engine(sys, style, "en-US");
  e.setOutputFormat(request.format || "text");
  return e;
}

// One engine for the notes and one for the entries, reset to the one item each time
// (updateItems): building an engine parses the style, which for Chicago took most of a run.
// makeCitationCluster keeps no citation history, so each note is a first citation.
try {
  const notes = engine();
  for (const cite of request.cites) {
    const item = { id: cite.id };
    if (cite.locator) {
      item.locator = cite.locator;
      item.label = "page";
    }
    notes.updateItems([String(cite.id)]);
    out.notes.push(notes.makeCitationCluster([item]));
  }
  const e = engine();
  e.updateItems(request.items.map((item) => String(item.id)));
  const bib = e.makeBibliography();
  out.bibliography = bib ? bib[1].map((entry) => entry.trim()) : [];
  const single = engine();
  for (const item of request.items) {
    single.updateItems([String(item.id)]);
    const entry = single.makeBibliography();
    out.entries.push(entry && entry[1].length ? entry[1][0].trim() : "");
  }
} catch (error) {
  errors.push(String(error && error.message ? error.message : error));
}
process.stdout.write(JSON.stringify(out));
