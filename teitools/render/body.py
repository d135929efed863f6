"""A letter's reading text as blocks: the one place that walks TEI mixed content.

The text and HTML renderers both read the :class:`Body` built here, so that what counts as a
paragraph, a numbered point, an editorial insertion or a footnote is decided once. The text is
the letter's ``front``, ``body`` and ``back``; in a ``choice`` or an ``app`` the reading
(correction, regularisation, expansion, lemma) is chosen, and what is not the reading text
(a deletion, surplus words, forme work, a letter's own register lists) is left out. Notes
become numbered footnotes. A ``@rendition`` that generates text (CSS ``content`` in
``tagsDecl``) and a ``g`` with a ``charDecl`` reading are shown as that text; page breaks are
kept as markers for the HTML. Elements this module does not know are read through (their
text is kept), so that letters from other editions render without error.
"""

from __future__ import annotations

import re

from lxml import etree

from teitools.load.parser import TEI_NS, XML_NS
from teitools.model.elements import entry_ref
from teitools.render.language import quote_marks
from teitools.render.nodes import (
    Block,
    Body,
    Date,
    Emphasis,
    Empty,
    Gap,
    Inline,
    Join,
    ListBlock,
    ListItem,
    Name,
    Note,
    NoteRef,
    PageBreak,
    Paragraph,
    Quote,
    Supplied,
    Text,
)
from teitools.render.spacing import tidy

_T = f"{{{TEI_NS}}}"

#: Elements that start a block of their own (a paragraph or a line in the letter).
_BLOCKS = frozenset(
    {
        "p",
        "ab",
        "head",
        "opener",
        "closer",
        "salute",
        "dateline",
        "signed",
        "postscript",
        "div",
        "div1",
        "div2",
        "div3",
        "lg",
        "l",
        "address",
        "addrLine",
        "byline",
        "trailer",
        "argument",
        "epigraph",
        "floatingText",
        "body",
        "text",
        "group",
        "front",
        "back",
        "label",
        "table",
        "row",
        "cell",
        "figure",
        "sp",
        "speaker",
        "item",
    }
)
#: Elements whose content is not part of the reading text: deletions, surplus words, forme
#: work and other apparatus, and registers kept in a letter's ``back``. (``sic``, ``orig``
#: and ``abbr`` are the text where they stand alone; in a ``choice`` the reading is chosen.)
_SKIPPED = frozenset(
    {
        "del",
        "surplus",
        "fw",
        "milestone",
        "figDesc",
        "teiHeader",
        "facsimile",
        "interpGrp",
        "interp",
        "linkGrp",
        "link",
        "join",
        "alt",
        "span",
        "spanGrp",
        "index",
        "certainty",
        "precision",
        "respons",
        "metamark",
        "rdg",
        "witDetail",
        "listPerson",
        "listPlace",
        "listOrg",
        "listEvent",
        "listRelation",
        "listNym",
        "listObject",
    }
)
#: Elements that hold only elements: whitespace between their children is layout, not text.
_ELEMENT_ONLY = frozenset({"subst", "choice", "app", "rdgGrp", "listBibl"})
#: In a ``choice``, the reading a reader wants, best first.
_CHOICE_PREFERENCE = ("corr", "reg", "expan", "lem", "seg")
#: In a ``choice``, what a reading text leaves aside when there is anything else.
_NOT_CHOSEN = frozenset({"sic", "orig", "abbr"})
#: Breaks that a word may run across (``break="no"``).
_BREAKS = frozenset({"lb", "cb", "pb"})
#: Pointers that hold no words of their own when empty.
_POINTERS = frozenset({"ref", "ptr"})
#: ``glyph/mapping/@type`` values a reading text shows instead of the glyph as encoded.
_READING_MAPPINGS = ("standard", "normalized", "normalised", "regularized", "regularised")
_NAME_KINDS = {"persName": "person", "placeName": "place", "orgName": "org"}
_NAME_TYPES = {"person": "person", "place": "place", "org": "org", "organisation": "org"}
_XML_LANG = f"{{{XML_NS}}}lang"
_XML_ID = f"{{{XML_NS}}}id"
#: A CSS ``content`` declaration: the string it inserts.
_CSS_CONTENT = re.compile(r"""content\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
#: CSS declarations that say what emphasis a ``hi`` with only a ``@rendition`` is.
_CSS_EMPHASIS = (
    (re.compile(r"font-style\s*:\s*(italic|oblique)"), "italic"),
    (re.compile(r"font-weight\s*:\s*(bold|[6-9]00)"), "bold"),
    (re.compile(r"text-decoration[a-z-]*\s*:[^;]*underline"), "underline"),
    (re.compile(r"font-variant[a-z-]*\s*:\s*small-caps"), "smallcaps"),
    (re.compile(r"vertical-align\s*:\s*super"), "superscript"),
    (re.compile(r"vertical-align\s*:\s*sub"), "subscript"),
)
_CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6}) ?|\\(.)")


def read_body(element: etree._Element | None) -> Body:
    """The reading text of a letter: its ``body`` (or letter ``div``), and the ``front`` and
    ``back`` of its ``text`` when the model kept them with it; empty for None."""
    if element is None:
        return Body((), ())
    walker = _Walker(element)
    text = next(element.iterancestors(f"{_T}text"), None)
    parts = [element]
    if text is not None:
        front, back = text.find(f"{_T}front"), text.find(f"{_T}back")
        parts = [p for p in (front, element, back) if p is not None]
    blocks = tuple(block for part in parts for block in walker.blocks(part))
    return Body((*blocks, *walker.trailing_pages()), tuple(walker.notes))


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag[len(_T) :] if tag.startswith(_T) else etree.QName(tag).localname


def _pointer(value: str | None) -> str | None:
    if not value or not value.split():
        return None
    first = value.split()[0]
    return first[1:] if first.startswith("#") else first


def _is_empty(element: etree._Element) -> bool:
    return not (element.text or "").strip() and len(element) == 0


class _Definitions:
    """What the edition's header says its typography means: the generated text of each
    ``tagsDecl/rendition`` (a CSS ``content``, placed by ``@scope`` before, after or instead
    of the element), the reading of each ``charDecl`` glyph or character, and the language."""

    def __init__(self, root: etree._Element) -> None:
        self.renditions: dict[str, tuple[str, str]] = {}
        self.emphasis: dict[str, str] = {}
        self.glyphs: dict[str, tuple[str | None, str | None]] = {}
        for rendition in root.iterfind(f"{_T}teiHeader/{_T}encodingDesc/{_T}tagsDecl//{_T}rendition"):
            css = rendition.text or ""
            found = _CSS_CONTENT.search(css)
            emphasis = next((rend for pattern, rend in _CSS_EMPHASIS if pattern.search(css)), None)
            if rendition.get(_XML_ID) and emphasis:
                self.emphasis[rendition.get(_XML_ID) or ""] = emphasis
            if rendition.get(_XML_ID) and found:
                value = found.group(1) if found.group(1) is not None else found.group(2)
                self.renditions[rendition.get(_XML_ID) or ""] = (rendition.get("scope") or "", _css(value))
        for kind in ("glyph", "char"):
            for glyph in root.iterfind(f"{_T}teiHeader/{_T}encodingDesc/{_T}charDecl/{_T}{kind}"):
                if glyph.get(_XML_ID):
                    self.glyphs[glyph.get(_XML_ID) or ""] = _mappings(glyph)
        language = root.find(f"{_T}teiHeader/{_T}profileDesc/{_T}langUsage/{_T}language[@ident]")
        self.language = language.get("ident") if language is not None else root.get(_XML_LANG)

    def emphasis_of(self, element: etree._Element) -> str | None:
        """The emphasis a ``@rendition`` gives (its CSS: ``font-style: italic`` is "italic")."""
        refs = (element.get("rendition") or "").split()
        return next(
            (self.emphasis[r[1:]] for r in refs if r.startswith("#") and r[1:] in self.emphasis), None
        )

    def generated(self, element: etree._Element) -> tuple[str, str | None, str]:
        """The text a ``@rendition`` puts before the element, instead of it (None: its own
        content) and after it."""
        before, instead, after = "", None, ""
        for ref in (element.get("rendition") or "").split():
            scope, content = self.renditions.get(ref.removeprefix("#"), ("", ""))
            if not content:
                continue
            if scope == "before":
                before += content
            elif scope == "after":
                after += content
            elif not scope:
                instead = content
        return before, instead, after


def _css(value: str) -> str:
    """A CSS string's characters: ``\\2014`` is an em dash, ``\\'`` a quote."""

    def unescape(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if _printable(code) else ""
        return match.group(2) if _printable(ord(match.group(2))) else ""

    return _CSS_ESCAPE.sub(unescape, value)


def _printable(code: int) -> bool:
    """A character XML allows in text and that is no control character: an escape in a
    stylesheet must not put into a reading text what the file itself could not hold (a
    terminal escape sequence on stdout)."""
    return (0x20 <= code < 0x7F or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD) or (
        0x10000 <= code <= 0x10FFFF
    )


def _mappings(glyph: etree._Element) -> tuple[str | None, str | None]:
    """A glyph's reading mapping (standard, normalised) and any other mapping, or None."""
    mappings = {(m.get("type") or ""): "".join(m.itertext()) for m in glyph.iterfind(f"{_T}mapping")}
    reading = next((mappings[t] for t in _READING_MAPPINGS if mappings.get(t)), None)
    other = next((v for v in mappings.values() if v), None)
    return reading, other


class _Walker:
    """Builds blocks from mixed content; collects notes, numbered in document order."""

    def __init__(self, element: etree._Element) -> None:
        self.notes: list[Note] = []
        self.definitions = _Definitions(element.getroottree().getroot())
        self.quote_depth = 0
        # Page breaks between blocks: they begin the next block's text.
        self.pages: list[Inline] = []

    def trailing_pages(self) -> tuple[Block, ...]:
        """Page breaks after the last block: a block of their own."""
        pages, self.pages = tuple(self.pages), []
        return (Paragraph("pb", pages),) if pages else ()

    def blocks(self, element: etree._Element) -> tuple[Block, ...]:
        """The blocks of a block-level element: its own running text, and nested blocks."""
        blocks: list[Block] = []
        pending: list[Inline] = []
        kind = _local(element) or "p"

        def flush() -> None:
            inlines = tidy(pending)
            if inlines and all(isinstance(node, PageBreak) for node in inlines):
                self.pages.extend(inlines)
            elif inlines:
                blocks.append(Paragraph(kind, (*self.pages, *inlines)))
                self.pages = []
            pending.clear()

        if element.text:
            pending.append(Text(element.text))
        for child in element:
            name = _local(child)
            if name == "list":
                flush()
                listed = self._list(child)
                if listed.items:
                    blocks.append(listed)
            elif name in _BLOCKS:
                flush()
                blocks.extend(self.blocks(child))
            else:
                pending.extend(self.inline(child))
            if child.tail:
                pending.append(Text(child.tail))
        flush()
        return tuple(blocks)

    def _list(self, element: etree._Element) -> ListBlock:
        items: list[ListItem] = []
        between: list[Inline] = []

        def flush_between() -> None:
            inlines = tidy(between)
            if inlines:
                items.append(ListItem(None, (Paragraph("item", inlines),)))
            between.clear()

        for child in element:
            if _local(child) == "item":
                flush_between()
                items.append(ListItem(child.get("n"), self.blocks(child)))
            elif _local(child) not in ("head", ""):
                between.extend(self.inline(child))
        flush_between()
        return ListBlock(element.get("type") in ("numbered", "ordered"), tuple(items))

    def inline(self, element: etree._Element) -> list[Inline]:
        """The inline nodes an element stands for, in the text."""
        name = _local(element)
        if not name or name in _SKIPPED:
            return []
        if name in _BREAKS:
            joined: list[Inline] = [Join() if element.get("break") == "no" else Text(" ")]
            return [*joined, PageBreak(element.get("n") or "")] if name == "pb" else joined
        if name == "space":
            return [Text(" ")]
        if name == "gap":
            return [Gap(element.get("reason") or "")]
        if name == "note":
            number = len(self.notes) + 1
            self.notes.append(Note(number, ()))  # reserve the number before nested notes
            self.notes[number - 1] = Note(number, tidy(self.children(element)))
            return [NoteRef(number)]
        if name == "choice":
            return self._choice(element)
        if name in _POINTERS and _is_empty(element):
            return [Empty()]
        before, instead, after = self.definitions.generated(element)
        if instead is not None and _is_empty(element):
            nodes: list[Inline] = [Text(instead)]
        elif name == "g":
            nodes = self._glyph(element)
        else:
            nodes = self._marked(name, element)
        return [*([Text(before)] if before else []), *nodes, *([Text(after)] if after else [])]

    def _marked(self, name: str, element: etree._Element) -> list[Inline]:
        """An element that may mark its words: emphasis, a quotation, a name, a date."""
        if name in ("q", "quote") or (name == "said" and element.get("direct") != "false"):
            marks = quote_marks(self._language(element), self.quote_depth)
            self.quote_depth += 1
            try:
                return [Quote(tuple(self.children(element)), marks)]
            finally:
                self.quote_depth -= 1
        children = tuple(self.children(element))
        if name == "hi":
            # rend may list several renditions ("bold italic"): the first names the emphasis.
            rends = (element.get("rend") or "").split()
            rend = rends[0] if rends else self.definitions.emphasis_of(element) or "italic"
            return [Emphasis(rend, children)]
        if name == "emph":
            return [Emphasis("emph", children)]
        if name in _NAME_KINDS:
            return [Name(_NAME_KINDS[name], entry_ref(element), children)]
        if name in ("name", "rs") and element.get("type") in _NAME_TYPES:
            kind = _NAME_TYPES[element.get("type") or ""]
            return [Name(kind, entry_ref(element), children)]
        if name == "date":
            return [Date(element.get("when"), children)]
        if name == "supplied":
            return [Supplied(element.get("reason") or "", children)]
        return list(children)

    def _glyph(self, element: etree._Element) -> list[Inline]:
        """A ``g``: the reading its ``charDecl`` entry gives, else its content as encoded."""
        reading, other = self.definitions.glyphs.get(_pointer(element.get("ref")) or "", (None, None))
        if reading:
            return [Text(reading)]
        content = self.children(element)
        return content if content or not other else [Text(other)]

    def _language(self, element: etree._Element) -> str | None:
        """The language the words around ``element`` are in: the nearest ``xml:lang`` in the
        text (the quoted words' own ``xml:lang`` does not change the marks around them)."""
        for ancestor in element.iterancestors():
            if _local(ancestor) == "TEI":
                break
            if ancestor.get(_XML_LANG):
                return ancestor.get(_XML_LANG)
        return self.definitions.language

    def children(self, element: etree._Element) -> list[Inline]:
        layout = _local(element) in _ELEMENT_ONLY
        nodes: list[Inline] = []
        if element.text and not (layout and element.text.isspace()):
            nodes.append(Text(element.text))
        for child in element:
            nodes.extend(self.inline(child))
            if child.tail and not (layout and child.tail.isspace()):
                nodes.append(Text(child.tail))
        return nodes

    def _choice(self, element: etree._Element) -> list[Inline]:
        options = {_local(c): c for c in reversed(element) if _local(c)}
        for wanted in _CHOICE_PREFERENCE:
            if wanted in options:
                return self.children(options[wanted])
        readable = [c for c in element if _local(c) and _local(c) not in _SKIPPED]
        first = next((c for c in readable if _local(c) not in _NOT_CHOSEN), None)
        if first is None and readable:
            first = readable[0]
        return self.inline(first) if first is not None else []
