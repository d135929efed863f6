"""The report formats by name: the CLI offers exactly the names of :data:`FORMATS`."""

from __future__ import annotations

from teitools.report import github, json, junit, sarif, svrl, text
from teitools.report.base import Renderer

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "github": github.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "svrl": svrl.render,
}
