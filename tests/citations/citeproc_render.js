// Render CSL-JSON items with citeproc-js, the processor inside Zotero, for tests/test_cite_citeproc_js.py.
// Reads {"module", "style", "locales", "items", "cites": [{"id", "locator"}], "format"} as JSON on
// stdin; writes {"notes": [...], "bibliography": [...], "entries": [...], "errors": [...]} as JSON
// on stdout: "bibliography" of all the items together, "entries" each item's own entry ("" when
// the style gives it none), each from a fresh engine as teitools formats one letter at a time.
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

try {
  for (const cite of request.cites) {
    const e = engine();
    const item = { id: cite.id };
    if (cite.locator) {
      item.locator = cite.locator;
      item.label = "page";
    }
    out.notes.push(e.makeCitationCluster([item]));
  }
  const e = engine();
  e.updateItems(request.items.map((item) => String(item.id)));
  const bib = e.makeBibliography();
  out.bibliography = bib ? bib[1].map((entry) => entry.trim()) : [];
  for (const item of request.items) {
    const single = engine();
    single.updateItems([String(item.id)]);
    const entry = single.makeBibliography();
    out.entries.push(entry && entry[1].length ? entry[1][0].trim() : "");
  }
} catch (error) {
  errors.push(String(error && error.message ? error.message : error));
}
process.stdout.write(JSON.stringify(out));
