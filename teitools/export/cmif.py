"""CMIF v1.1 (Correspondence Metadata Interchange Format) for correspSearch.

One TEI file whose ``profileDesc`` holds one ``correspDesc`` per letter, in chronological
order. CMIF is narrower than TEI: ``@cert`` may only be ``low`` and ``@evidence`` only
``conjecture``, persons and places carry authority URIs (GeoNames for places) or nothing.
Whatever the letters say that CMIF cannot, the export reports as a warning naming the letter
(see docs/cmif.md for the mapping).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import SettingsError
from teitools.export.base import ExportOptions, ExportResult
from teitools.load.parser import TEI_NS, XML_NS
from teitools.load.settings import Settings, build_day
from teitools.model.types import DateSpan, Edition, Letter, Participant
from teitools.render.describe import COPY_SUBTYPES, copy_recipients, known_place, main_recipients
from teitools.render.links import letter_pages

FILE_NAME = "cmif.xml"
SCHEMA_URL = (
    "https://raw.githubusercontent.com/TEI-Correspondence-SIG/CMIF/master/schema/cmi-customization.rng"
)
UNKNOWN_NAME = "Unknown"
#: CMIF's only certainty value; "high" is what an attribute-less value already says.
_CERT_MAP = {"low": "low", "medium": "low", "unknown": "low", "high": None}
_T = f"{{{TEI_NS}}}"
#: Reports one warning about the letter being exported: (line, rule id, message).
_Warn = Callable[[int, str, str], None]


def export(edition: Edition, options: ExportOptions) -> ExportResult:
    """The edition's letters as one CMIF file, and warnings for what CMIF cannot express."""
    settings = options.settings
    _require(settings)
    bibl_id = bibl_uuid(settings)
    warnings: list[Diagnostic] = []
    root = etree.Element(f"{_T}TEI", nsmap={None: TEI_NS})
    header = etree.SubElement(root, f"{_T}teiHeader")
    file_desc = _file_desc(settings, bibl_id)
    header.append(file_desc)
    profile = etree.SubElement(header, f"{_T}profileDesc")
    pages = letter_pages(edition)
    source_desc = file_desc.find(f"{_T}sourceDesc")
    for letter in edition.chronological():
        source = bibl_id
        if letter.manuscript is not None and source_desc is not None:
            # A UUID as CMIF asks (W0001), the same on every run: of the letter's page address.
            source = _derived_uuid(f"{settings.base_url}{pages[letter]}")
            source_desc.append(_manuscript_bibl(letter.manuscript.citation(), source, settings))
        profile.append(
            _corresp_desc(letter, edition, settings, pages.url(letter, settings.base_url), source, warnings)
        )
    body = etree.SubElement(etree.SubElement(root, f"{_T}text"), f"{_T}body")
    etree.SubElement(body, f"{_T}p")
    etree.indent(root, space="  ")
    for editor in root.iter(f"{_T}editor"):
        if len(editor):  # mixed content ("Name <email/>"): no indentation before </editor>
            editor[-1].tail = None
    model = etree.ProcessingInstruction(
        "xml-model",
        f'href="{SCHEMA_URL}" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"',
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + etree.tostring(model, encoding="unicode")
        + "\n"
        + etree.tostring(root, encoding="unicode")
        + "\n"
    )
    return ExportResult({FILE_NAME: text}, tuple(warnings))


def bibl_uuid(settings: Settings) -> str:
    """The ``xml:id`` of the edition's ``bibl``: the configured one, or a UUID derived from
    the base URL (the same on every run, different for every edition).

    An ``xml:id`` cannot start with a digit, so a derived UUID that would is derived again
    from the base URL and a counter until it starts with a letter.
    """
    if settings.cmif.bibl_id:
        return settings.cmif.bibl_id
    return _derived_uuid(settings.base_url or settings.title)


def _derived_uuid(seed: str) -> str:
    derived = str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
    counter = 0
    while derived[0].isdigit():
        counter += 1
        derived = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}#{counter}"))
    return derived


def publication_date(settings: Settings) -> str:
    """The CMIF file's date: the ``cmif.date`` setting, else ``SOURCE_DATE_EPOCH``, else today."""
    if settings.cmif.date:
        return settings.cmif.date
    return build_day().isoformat()


def _require(settings: Settings) -> None:
    missing = [
        key
        for key, value in (
            ("title", settings.title),
            ("editors", settings.editors),
            ("publisher", settings.publisher),
            ("licence-url", settings.licence_url),
            ("base-url", settings.base_url),
        )
        if not value
    ]
    where = (
        str(settings.file)
        if settings.file
        else "a teitools.toml beside the corpus (or [tool.teitools] in pyproject.toml)"
    )
    if missing:
        raise SettingsError(
            f"the CMIF export needs these settings, missing from {where}: {', '.join(missing)}"
            " (see docs/settings.md)"
        )
    # TOML can spell any character ("\u0001"); XML 1.0 cannot hold most control characters.
    unwritable = [key for key, value in _header_settings(settings) if _NOT_XML.search(value)]
    if unwritable:
        raise SettingsError(
            f"these settings in {where} hold control characters, which an XML file such as the"
            f" CMIF export cannot contain: {', '.join(unwritable)}"
        )


#: Characters XML 1.0 does not allow (tab, line feed and carriage return it does).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _header_settings(settings: Settings) -> list[tuple[str, str]]:
    cmif = settings.cmif
    values = [
        ("title", settings.title),
        *[("editors", e.name) for e in settings.editors],
        *[("editors", e.email) for e in settings.editors],
        ("publisher", settings.publisher),
        ("publisher-url", settings.publisher_url),
        ("licence", settings.licence),
        ("licence-url", settings.licence_url),
        ("base-url", settings.base_url),
        ("cmif.bibl", cmif.bibl),
        ("cmif.bibl-type", cmif.bibl_type),
        ("cmif.bibl-id", cmif.bibl_id),
        ("cmif.url", cmif.url),
        ("cmif.date", cmif.date),
    ]
    return [(key, value) for key, value in dict.fromkeys(values) if value]


def _edition_bibl_text(settings: Settings) -> str:
    return settings.cmif.bibl or f"{settings.title}, {settings.base_url}"


def _manuscript_bibl(citation: str, bibl_id: str, settings: Settings) -> etree._Element:
    """The source of a letter whose original the edition locates: the edition's ``bibl``
    and where the manuscript is kept. CMIF's ``bibl`` has no element for an archive, and
    its ``@type`` names the edition's kind (print, online), so the place is said in words."""
    bibl = etree.Element(f"{_T}bibl", type=settings.cmif.bibl_type)
    bibl.text = f"{_edition_bibl_text(settings)}; manuscript: {citation}"
    bibl.set(f"{{{XML_NS}}}id", bibl_id)
    return bibl


def _file_desc(settings: Settings, bibl_id: str) -> etree._Element:
    file_desc = etree.Element(f"{_T}fileDesc")
    title_stmt = etree.SubElement(file_desc, f"{_T}titleStmt")
    _add(title_stmt, "title", settings.title)
    for editor in settings.editors:
        element = _add(title_stmt, "editor", editor.name)
        if editor.email:
            element.text = f"{editor.name} "
            _add(element, "email", editor.email)
    publication = etree.SubElement(file_desc, f"{_T}publicationStmt")
    publisher = _add(publication, "publisher", "" if settings.publisher_url else settings.publisher)
    if settings.publisher_url:
        _add(publisher, "ref", settings.publisher, target=settings.publisher_url)
    _add(publication, "idno", settings.cmif.url or f"{settings.base_url}{FILE_NAME}", type="url")
    _add(publication, "date", "", when=publication_date(settings))
    availability = etree.SubElement(publication, f"{_T}availability")
    licence_url = settings.licence_url or ""
    _add(availability, "licence", settings.licence or licence_url, target=licence_url)
    source = etree.SubElement(file_desc, f"{_T}sourceDesc")
    bibl = _add(source, "bibl", _edition_bibl_text(settings), type=settings.cmif.bibl_type)
    bibl.set(f"{{{XML_NS}}}id", bibl_id)
    return file_desc


def _corresp_desc(
    letter: Letter,
    edition: Edition,
    settings: Settings,
    page_url: str | None,
    bibl_id: str,
    warnings: list[Diagnostic],
) -> etree._Element:
    def warn(line: int, rule: str, message: str) -> None:
        warnings.append(
            Diagnostic(str(letter.file), line, 0, Severity.WARNING, rule, f"letter {letter.id}: {message}")
        )

    desc = etree.Element(f"{_T}correspDesc")
    url = letter.url or page_url
    if url:
        desc.set("ref", url)
    desc.set("source", f"#{bibl_id}")
    for kind, people, place in (
        # A place encoded as "unknown" is no place: CMIF's placeName is optional, and correspSearch
        # would list "unknown" as a place.
        ("sent", letter.senders, known_place(letter.place_sent, edition)),
        ("received", main_recipients(letter), known_place(letter.place_received, edition)),
    ):
        action = etree.SubElement(desc, f"{_T}correspAction", type=kind)
        for person in people or (Participant(UNKNOWN_NAME),):
            action.append(_participant(person, edition, kind, warn))
        if place is not None:
            action.append(_place(place, edition, kind, warn))
        if kind == "sent" and letter.date is not None:
            date = _date(letter.date, warn)
            if date is not None:
                action.append(date)
    # Copies are received too, but not by an addressee: CMIF keeps them apart by @subtype.
    for subtype in COPY_SUBTYPES:
        copies = [p for p in copy_recipients(letter) if p.subtype == subtype]
        if copies:
            action = etree.SubElement(desc, f"{_T}correspAction", type="received", subtype=subtype)
            for person in copies:
                action.append(_participant(person, edition, f"{subtype} recipient", warn))
    return desc


def _participant(person: Participant, edition: Edition, kind: str, warn: _Warn) -> etree._Element:
    organisation = edition.organisations.get(person.ref or "")
    tag = "orgName" if organisation is not None else "persName"
    registered = edition.person(person.ref)
    name = (
        person.name
        or (organisation.name if organisation else "")
        or (registered.name.display() if registered else "")
        or UNKNOWN_NAME
    )
    element = etree.Element(f"{_T}{tag}")
    element.text = name
    authority = _uris(registered.authority if registered else organisation.authority if organisation else ())
    if not authority and person.ref and _is_uri(person.ref):
        authority = [person.ref]
    if authority:
        element.set("ref", authority[0])
    _set_cert(element, person.cert, f"the {kind} {tag} {name!r}", person.line, warn)
    return element


def _place(place: Participant, edition: Edition, kind: str, warn: _Warn) -> etree._Element:
    registered = edition.places.get(place.ref or "")
    name = place.name or (registered.name if registered else "") or UNKNOWN_NAME
    element = etree.Element(f"{_T}placeName")
    element.text = name
    candidates = [*(registered.authority if registered else ()), place.ref or ""]
    geonames = [uri for uri in _uris(candidates) if "geonames.org/" in uri]
    if geonames:
        element.set("ref", geonames[0])
    _set_cert(element, place.cert, f"the place {kind} {name!r}", place.line, warn)
    return element


def _date(date: DateSpan, warn: _Warn) -> etree._Element | None:
    element = etree.Element(f"{_T}date")
    for attribute, value in (
        ("when", date.when),
        ("notBefore", date.not_before),
        ("notAfter", date.not_after),
    ):
        if value is not None:
            element.set(attribute, value.iso())
    if not element.attrib:
        shown = f" {date.text!r}" if date.text else ""
        warn(
            date.line,
            "cmif-date",
            f"the date{shown} has no machine-readable value "
            "(@when, @notBefore, @notAfter); it is left out of the CMIF",
        )
        return None
    _set_cert(element, date.cert, "the date", date.line, warn)
    if date.evidence == "conjecture":
        element.set("evidence", "conjecture")
    elif date.evidence:
        warn(
            date.line,
            "cmif-evidence",
            f'the date\'s evidence="{date.evidence}" cannot be '
            'expressed in CMIF (only "conjecture"); it is left out',
        )
    return element


def _set_cert(element: etree._Element, cert: str | None, what: str, line: int, warn: _Warn) -> None:
    if cert is None:
        return
    mapped = _CERT_MAP.get(cert)
    if mapped is not None:
        element.set("cert", mapped)
    if cert not in _CERT_MAP:
        warn(
            line,
            "cmif-cert",
            f'{what} has cert="{cert}", which CMIF cannot express (only "low"); it is exported without @cert',
        )
    elif mapped is not None and mapped != cert:
        warn(
            line,
            "cmif-cert",
            f'{what} has cert="{cert}", which CMIF cannot express '
            f'(only "low"); it is exported as cert="{mapped}"',
        )


def _uris(values: tuple[str, ...] | list[str]) -> list[str]:
    return [v for v in values if _is_uri(v)]


def _is_uri(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _add(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{_T}{tag}", attributes)
    if text:
        element.text = text
    return element
