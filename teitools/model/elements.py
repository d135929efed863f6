"""Reading the TEI elements that letters and CMIF files share: dates, names, pointers."""

from __future__ import annotations

from lxml import etree

from teitools.load.parser import TEI_NS
from teitools.model.dates import PartialDate, parse_iso
from teitools.model.types import DateSpan, PersonName

_T = f"{{{TEI_NS}}}"


def source_line(element: etree._Element) -> int:
    """The element's line in its file, 0 when unknown."""
    line = element.sourceline
    return line if isinstance(line, int) else 0


def text_of(element: etree._Element | None) -> str:
    """The element's text content with whitespace collapsed; "" for None."""
    if element is None:
        return ""
    return " ".join("".join(map(str, element.itertext())).split())


def pointer(value: str | None) -> str | None:
    """``#stalin`` -> ``stalin``, and so ``persons.xml#stalin`` (an entry of a register file);
    other values (web addresses, plain keys) are kept as they are."""
    if not value or not value.split():  # a blank @ref points nowhere (found by fuzzing)
        return None
    first = value.split()[0]
    if first.startswith("#"):
        return first[1:]
    document, hash_sign, fragment = first.partition("#")
    if hash_sign and fragment and ":" not in document and document.endswith(".xml"):
        return fragment
    return first


def entry_ref(element: etree._Element) -> str | None:
    """The register id an element points to: ``@ref`` (``#id``), else ``@key``."""
    return pointer(element.get("ref")) or pointer(element.get("key"))


def read_date(element: etree._Element) -> DateSpan:
    """A :class:`DateSpan` from a TEI ``date`` (``@when``, ``@notBefore``/``@notAfter``,
    ``@from``/``@to``; ill-formed values are left out)."""

    def attr(*names: str) -> PartialDate | None:
        for name in names:
            value = element.get(name)
            if value:
                return parse_iso(value.strip())
        return None

    return DateSpan(
        when=attr("when"),
        not_before=attr("notBefore", "from"),
        not_after=attr("notAfter", "to"),
        cert=element.get("cert"),
        evidence=element.get("evidence"),
        text=text_of(element),
        line=source_line(element),
    )


def person_name(element: etree._Element | None) -> PersonName:
    """Split a ``persName`` into given and family names (``forename``/``surname``)."""
    if element is None:
        return PersonName()
    given = " ".join(text_of(f) for f in element.findall(f"{_T}forename"))
    family = " ".join(text_of(s) for s in element.findall(f"{_T}surname"))
    return PersonName(given, family, "" if given or family else text_of(element))
