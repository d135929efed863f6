"""The shipped Schematron's rules (``schemas/teitools.sch``) asked in Python: could they find
anything in this file?

libxslt takes a fifth of a millisecond per letter to run the rules, more than parsing and
the grammar together, and on an edition's files it almost always finds nothing. The walk
that gathers a file's cross-file facts (:func:`teitools.validation.corpus.walk_file`) asks
:class:`Screen` about each element it passes; only a file the screen finds suspect is given
to the XSLT rules, whose findings (positions, messages, details) are the ones reported. The
screen may be wrong only one way: it says "suspect" whenever a rule might fail (also in some
cases where none does: a date attribute on an element another rule's context takes first,
a nested TEI), never "clean" where an assert fails. ``tests/test_screen.py`` holds it to the
XSLT rules on every fixture and on planted mistakes.

The screen answers for one version of the rules: :data:`RULES_DIGEST` is the SHA-256 of the
``teitools.sch`` it was written for, and :func:`screens` is false for any other file, so a
rule changed in the schema runs through XSLT until the screen is brought up to date.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from teitools.load.parser import TEI_NS, XML_NS
from teitools.validation import schema_memory

#: SHA-256 of the ``schemas/teitools.sch`` whose rules this module mirrors.
RULES_DIGEST = "a8d7a71d930617cb5574304676d02972006b77620d74c77f839568ae043359f9"

_T = f"{{{TEI_NS}}}"
_TEI = f"{_T}TEI"
_XML_ID = f"{{{XML_NS}}}id"
#: What the rules' translate() comparisons accept: ASCII digits as YYYY, YYYY-MM, YYYY-MM-DD.
_SHAPE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
_RENDS = frozenset({"italic", "bold", "underline", "smallcaps", "superscript"})
_THIRTY_DAYS = frozenset({"04", "06", "09", "11"})
# Element names as lxml gives them, made once (an f-string makes its string at every use).
_PERS_NAME = f"{_T}persName"
_DATE = f"{_T}date"
_NOTE = f"{_T}note"
_CORRESP_DESC = f"{_T}correspDesc"
_CORRESP_ACTION = f"{_T}correspAction"
_DIV = f"{_T}div"
_PROFILE_DESC = f"{_T}profileDesc"
_TEI_HEADER = f"{_T}teiHeader"
_BIBL_SCOPE = f"{_T}biblScope"
_DATELINE = f"{_T}dateline"
_OPENER = f"{_T}opener"


@schema_memory.forgotten_on_change
@lru_cache(maxsize=4)
def screens(path: Path) -> bool:
    """True when ``path`` is the version of the rules this screen answers for."""
    schema_memory.note(path)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == RULES_DIGEST
    except OSError:
        return False


#: The attributes whose values the date rules check.
DATE_ATTRIBUTES = frozenset({"when", "notBefore", "notAfter", "from", "to"})
#: The elements a rule other than the date rules is about.
WATCHED = frozenset(f"{_T}{name}" for name in ("TEI", "correspDesc", "correspAction", "hi", "div"))


class Screen:
    """The rules of ``teitools.sch`` asked about one document: :meth:`dated` about each
    element that carries one of the :data:`DATE_ATTRIBUTES` (the walk finds them among the
    attributes it reads anyway), then :meth:`others` about the rest; true from either means
    that a rule might fail."""

    def __init__(self, root: etree._Element) -> None:
        self._root = root
        self._sent: frozenset[str] | None = None
        #: A correspDesc below the root, once :meth:`others` saw one (the file is a letter).
        self.corresp_desc: etree._Element | None = None

    def dated(self, element: etree._Element) -> bool:
        """Whether a date rule might fail on ``element``, which carries a date attribute."""
        tag = element.tag
        if not isinstance(tag, str) or not tag.startswith(_T) or tag == _BIBL_SCOPE:
            return False
        return self._dates_fail(element, tag)

    def others(self) -> bool:
        """Whether a rule other than the date rules might fail: asked of the :data:`WATCHED`
        elements alone, which lxml finds without a Python step per element."""
        root = self._root
        letter_div = False
        for element in root.iter(*WATCHED):
            tag = element.tag
            if tag == _TEI:
                if element is not root:
                    return True  # a nested TEI: its own rules, which the screen does not follow
            elif tag == _CORRESP_DESC:
                if self.corresp_desc is None and element is not root:
                    self.corresp_desc = element
                if self._corresp_desc_fails(element):
                    return True
            elif tag == _DIV:
                letter_div = letter_div or element.get("type") == "letter"
            elif tag == _CORRESP_ACTION:
                if self._action_fails(element, element.get("type")):
                    return True
            elif (rend := element.get("rend")) is not None and rend not in _RENDS:  # hi
                return True
        return self._root_fails(letter_div)

    def _root_fails(self, letter_div: bool) -> bool:
        """The root's rules: whether the document has a letter div and a correspDesc."""
        root = self._root
        if root.tag != _TEI:
            return False
        desc = self.corresp_desc
        has_corresp = False
        if desc is not None:
            profile = desc.getparent()
            header = profile.getparent() if profile is not None else None
            has_corresp = (
                profile is not None
                and profile.tag == _PROFILE_DESC
                and header is not None
                and header.tag == _TEI_HEADER
                and header.getparent() is root
            )
            if not has_corresp:  # one elsewhere: the root's rule looks for any in the header
                has_corresp = bool(_path(root, "teiHeader", "profileDesc", "correspDesc"))
        is_letter = letter_div and any(
            div.get("type") == "letter" for div in _path(root, "text", "body", "div")
        )
        if is_letter:
            return not has_corresp or root.get(_XML_ID) is None
        return has_corresp

    @staticmethod
    def _corresp_desc_fails(element: etree._Element) -> bool:
        types = [child.get("type") for child in element.iterchildren(_CORRESP_ACTION)]
        return types.count("sent") != 1 or "received" not in types

    @staticmethod
    def _action_fails(element: etree._Element, kind: str | None) -> bool:
        if kind not in ("sent", "received"):
            return False
        # One pass over the children (a lookup per kind of child took twice as long).
        refs: list[str] = []
        doubtful = False
        dates = 0
        noted = False
        for child in element:
            tag = child.tag
            if tag == _PERS_NAME:
                if (ref := child.get("ref")) is not None:
                    refs.append(ref)
                doubtful = doubtful or child.get("cert") not in (None, "high")
            elif tag == _DATE:
                dates += 1
            elif tag == _NOTE:
                noted = True
        if not refs or dates > 1:
            return True  # corresp-action-person, corresp-action-one-date
        if doubtful and not noted:
            return True  # uncertain-participant-note
        # sender-not-recipient, whose context is a persName of this (received) action
        desc = element.getparent()
        if kind == "sent" or desc is None:
            return False
        named = {ref for ref in refs if ref != "#unknown"}
        return any(
            name.get("ref") in named
            for sent in desc.iterchildren(_CORRESP_ACTION)
            if sent.get("type") == "sent"
            for name in sent.iterchildren(_PERS_NAME)
        )

    def _dates_fail(self, element: etree._Element, tag: str) -> bool:
        values = {name: value for name, value in element.items() if name in DATE_ATTRIBUTES}
        for value in values.values():
            if not _SHAPE.fullmatch(value) or not _real(value):
                return True  # date-format, date-real
        when = values.get("when")
        if when is not None:  # date-when-exclusive; else, the usual date, only the dateline's rule
            return len(values) > 1 or (tag == _DATE and self._dateline_disagrees(element, when))
        if _later(values.get("notBefore"), values.get("notAfter")) or _later(
            values.get("from"), values.get("to")
        ):
            return True  # date-order, date-range-order
        # uncertain-date-cert
        return ("notBefore" in values or "notAfter" in values) and element.get("cert") is None

    def _dateline_disagrees(self, element: etree._Element, when: str) -> bool:
        dateline = element.getparent()
        if dateline is None or dateline.tag != _DATELINE:
            return False
        opener = dateline.getparent()
        if opener is None or opener.tag != _OPENER:
            return False
        sent = self._sent_dates()
        return bool(sent) and when not in sent

    def _sent_dates(self) -> frozenset[str]:
        """The @when of the sent correspAction's dates, as the rule's ``$sent`` has them."""
        if self._sent is None:
            root = self._root
            steps = ("teiHeader", "profileDesc", "correspDesc", "correspAction")
            self._sent = frozenset(
                when
                for action in (_path(root, *steps) if root.tag == _TEI else [])
                if action.get("type") == "sent"
                for date in action.iterchildren(_DATE)
                if (when := date.get("when")) is not None
            )
        return self._sent


def _path(root: etree._Element, *steps: str) -> list[etree._Element]:
    """The elements a child path of TEI elements (``tei:a/tei:b``) selects from ``root``, in
    document order: lxml's ``find`` evaluates such a path in Python, several times slower."""
    found = [root]
    for step in steps:
        found = [child for element in found for child in element.iterchildren(f"{_T}{step}")]
    return found


def _real(value: str) -> bool:
    """Whether a well-shaped date names a day that exists (date-real)."""
    if len(value) == 4:
        return True
    month = int(value[5:7])
    if not 1 <= month <= 12:
        return False
    if len(value) == 7:
        return True
    day, year = int(value[8:10]), int(value[:4])
    if not 1 <= day <= 31 or (day == 31 and value[5:7] in _THIRTY_DAYS):
        return False
    if month == 2 and day > 29:
        return False
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    return not (month == 2 and day == 29 and not leap)


def _later(start: str | None, end: str | None) -> bool:
    """Whether a range's well-shaped ends are in the wrong order, each padded as the rule
    pads it (a start to its first day, an end to its last)."""
    if start is None or end is None:
        return False
    first, last = start.replace("-", ""), end.replace("-", "")
    return int(first + "0101"[len(first) - 4 :]) > int(last + "1231"[len(last) - 4 :])
