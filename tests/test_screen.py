"""The Python screen of the shipped Schematron never calls a file clean that the XSLT rules
find fault with, and calls the edition's clean letters clean (else it would save nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from teitools.errors import DocumentError
from teitools.load.parser import load, parse_bytes
from teitools.load.resources import schema_file
from teitools.validation.corpus import walk_file
from teitools.validation.positions import SourceLines
from teitools.validation.schematron.engines import compile_rules
from teitools.validation.schematron.screen import screens
from tests.helpers import LIVE_EDITION, ROOT

RULES = schema_file("teitools.sch")

#: A letter as the edition writes one, with a dateline and an uncertain recipient.
LETTER = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="stalin-molotov-1930-09-13">
  <teiHeader>
    <fileDesc><titleStmt><title>t</title></titleStmt><publicationStmt><p>p</p></publicationStmt>
      <sourceDesc><bibl>b</bibl></sourceDesc></fileDesc>
    <profileDesc>
      <correspDesc>
        <correspAction type="sent">
          <persName ref="#stalin">Stalin</persName>
          <date when="1930-09-13">13 September 1930</date>
        </correspAction>
        <correspAction type="received">
          <persName ref="#molotov" cert="low">Molotov</persName>
          <note>Addressed by name in the first line.</note>
        </correspAction>
      </correspDesc>
    </profileDesc>
  </teiHeader>
  <text>
    <body>
      <div type="letter">
        <opener><dateline><date when="1930-09-13">13 September</date></dateline></opener>
        <p>Written <date notBefore="1930-09" notAfter="1930-10" cert="high">then</date> in
          <hi rend="italic">haste</hi>, <bibl><biblScope from="3" to="1">pages</biblScope></bibl>
          <date from="1930" to="1931-02-28">over winter</date>.</p>
      </div>
    </body>
  </text>
</TEI>
"""

#: Each rule of teitools.sch, and a change to LETTER that breaks it.
PLANTED = {
    "letter-corresp": ("correspDesc>", "correspdesc>"),
    "letter-id": (' xml:id="stalin-molotov-1930-09-13"', ""),
    "letter-div": ('<div type="letter">', '<div type="chapter">'),
    "corresp-one-sent": ('<correspAction type="received">', '<correspAction type="sent">'),
    "corresp-received": ('<correspAction type="received">', '<correspAction type="other">'),
    "corresp-action-person": ('<persName ref="#stalin">', "<persName>"),
    "corresp-action-one-date": (
        "</date>\n        </correspAction>",
        "</date><date/>\n        </correspAction>",
    ),
    "uncertain-participant-note": ("<note>Addressed by name in the first line.</note>", ""),
    "sender-not-recipient": ('ref="#molotov"', 'ref="#stalin"'),
    "date-format": ('<date when="1930-09-13">13 September 1930', '<date when="1930-9-13">13 September 1930'),
    "date-real": ('notAfter="1930-10"', 'notAfter="1930-13"'),
    "date-when-exclusive": ('<date notBefore="1930-09"', '<date when="1930-09" notBefore="1930-09"'),
    "date-order": ('notBefore="1930-09" notAfter="1930-10"', 'notBefore="1930-11" notAfter="1930-10"'),
    "date-range-order": ('from="1930" to="1931-02-28"', 'from="1932" to="1931-02-28"'),
    "uncertain-date-cert": (' cert="high"', ""),
    "dateline-agrees": ('<dateline><date when="1930-09-13">', '<dateline><date when="1930-09-14">'),
    "hi-rend": ('rend="italic"', 'rend="cursive"'),
}


def _rule_ids(tree: etree._ElementTree) -> set[str]:
    findings = compile_rules(RULES).check(tree, SourceLines(Path("x.xml"), b""), "x.xml")
    return {finding.rule for finding in findings}


def _suspect(tree: etree._ElementTree) -> bool:
    return walk_file(tree, Path("x.xml"), screen=True)[1]


def test_the_screen_answers_for_the_shipped_rules() -> None:
    # Fails when teitools.sch changes: bring screen.py up to date, then its RULES_DIGEST.
    assert screens(RULES)


def test_the_clean_letter_is_clean_for_both() -> None:
    tree = parse_bytes(LETTER.encode(), Path("x.xml"))
    assert _rule_ids(tree) == set()
    assert not _suspect(tree)


@pytest.mark.parametrize("rule", sorted(PLANTED))
def test_a_planted_mistake_makes_the_file_suspect(rule: str) -> None:
    old, new = PLANTED[rule]
    assert LETTER.count(old) >= 1
    tree = parse_bytes(LETTER.replace(old, new).encode(), Path("x.xml"))
    assert rule in _rule_ids(tree)  # the mistake is the one planted
    assert _suspect(tree)


def _xml_files() -> list[Path]:
    found = sorted((ROOT / "tests" / "fixtures").rglob("*.xml")) + sorted(LIVE_EDITION.rglob("*.xml"))
    return [path for path in found if "hostile" not in path.parts]


def test_every_fixture_the_rules_fault_is_suspect() -> None:
    faulted = clean = 0
    for path in _xml_files():
        try:
            tree = load(path)
        except DocumentError:  # a fixture that does not parse has no rules to run
            continue
        if _rule_ids(tree):
            faulted += 1
            assert _suspect(tree), path
        elif path.is_relative_to(LIVE_EDITION):
            clean += 1
            assert not _suspect(tree), path  # the edition's clean letters take the fast path
    assert faulted > 10 and clean > 10
