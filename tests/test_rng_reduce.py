"""A large grammar compiled reduced to each file's elements: the whole grammar's verdict, and
its findings (position, rule id, text), on the SIG's correspDesc examples with tei_all, on
planted mistakes, and on small grammars with wildcards, interleaves and ``notAllowed``."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.load.parser import load, parse_bytes
from teitools.validation import rng_reduce
from teitools.validation.grammar import Grammar, check_grammar, compile_grammar
from teitools.validation.positions import SourceLines
from teitools.validation.rng_reduce import element_names, reduce_grammar, reducible
from tests.helpers import ROOT, reference_file
from tests.test_reference_schemas import SIG_EXAMPLES

RNG = "http://relaxng.org/ns/structure/1.0"
TEI = "http://www.tei-c.org/ns/1.0"
#: Planted mistakes: replacements made in every SIG example that has the text replaced.
MISTAKES = {
    "valid as published": (),
    "an element in no schema": (("<persName", "<foo/><persName"),),
    "a tei_all element used nowhere else, misplaced": (("<persName", "<witDetail/><persName"),),
    "a tei_all element used nowhere else, in a paragraph": (("<p>", "<p><facsimile/>"),),
    "a required child missing": (("<titleStmt>", "<titleStmt><!--"), ("</titleStmt>", "--></titleStmt>")),
    "a required sibling missing": (
        ("<publicationStmt>", "<!--<publicationStmt>"),
        ("</publicationStmt>", "</publicationStmt>-->"),
    ),
    "an impossible date": (('when="', 'when="1878-13-45" n="'),),
    "an attribute misspelt": (("<persName", "<persName reff='#x'"),),
    "a value not in the list": (("<persName", "<persName cert='sure'"),),
    "stray text": (("<teiHeader>", "<teiHeader>stray text"),),
    "a paragraph where none may be": (("<fileDesc>", "<fileDesc><p>x</p>"),),
    "an element of another namespace": (("<persName", "<x:persName xmlns:x='urn:other'/><persName"),),
    "two bodies": (("<body>", "<body><div><p>x</p></div></body><body>"),),
    "the wrong order": (("<titleStmt>", "<publicationStmt><p>x</p></publicationStmt><titleStmt>"),),
}

Finding = tuple[int, int, str, str]


@pytest.fixture(scope="module")
def whole(tei_all_source: etree._ElementTree, tei_all_relaxng: etree.RelaxNG) -> Grammar:
    # lxml takes seconds to compile tei_all whole: once for the session (tests/conftest.py).
    return Grammar(Path("tei_all.rng"), tei_all_source, tei_all_relaxng)


@pytest.fixture(scope="module")
def reduced(tei_all_source: etree._ElementTree) -> Grammar:
    # One for the module, as one process keeps it: each file's reduction then covers the
    # names of every file before it too, which must change nothing either.
    grammar = compile_grammar(Path("tei_all.rng"), tei_all_source)
    assert grammar.validator is None  # reduced per file, not compiled whole
    return grammar


def _findings(grammar: Grammar, data: bytes, path: Path) -> list[Finding]:
    found = check_grammar(parse_bytes(data, path), grammar, SourceLines(path, data), path.name)
    return [(d.line, d.column, d.rule, d.message) for d in found]


def _planted(name: str, replacements: tuple[tuple[str, str], ...]) -> tuple[Path, bytes] | None:
    path = reference_file("correspdesc-examples", name)
    text = path.read_text(encoding="utf-8")
    if any(old not in text for old, _ in replacements):
        return None
    for old, new in replacements:
        text = text.replace(old, new, 1)
    return path, text.encode()


@pytest.mark.slow
@pytest.mark.parametrize("mistake", MISTAKES)
def test_findings_are_the_whole_grammars(mistake: str, whole: Grammar, reduced: Grammar) -> None:
    compared = 0
    for name in SIG_EXAMPLES:
        planted = _planted(name, MISTAKES[mistake])
        if planted is None:
            continue
        expected = _findings(whole, planted[1], planted[0])
        assert bool(expected) == bool(MISTAKES[mistake]), (name, expected)
        assert _findings(reduced, planted[1], planted[0]) == expected, name
        compared += 1
    assert compared >= 2


@pytest.mark.slow
def test_the_allowed_list_comes_from_the_whole_grammar(reduced: Grammar) -> None:
    """The file uses a dozen of the elements allowed in correspAction: all are listed."""
    planted = _planted("example01_basic.xml", MISTAKES["a tei_all element used nowhere else, misplaced"])
    assert planted is not None
    [(line, _, rule, message)] = _findings(reduced, planted[1], planted[0])
    assert (line, rule) == (32, "rng-invalid")
    assert message.startswith(
        "<witDetail> is not allowed inside <correspAction>; allowed: ab, addName, address, affiliation,"
    )
    assert message.endswith(" and 27 more")


def test_a_reduction_keeps_the_verdict_on_every_sig_example(tei_all_source: etree._ElementTree) -> None:
    for name in SIG_EXAMPLES:
        document = load(reference_file("correspdesc-examples", name))
        names = element_names(document)
        deciding = reduce_grammar(tei_all_source, names, keep_names=False)
        # A seventh of tei_all's 16,000 nodes, and no element pattern the file cannot use:
        # what makes the compile take milliseconds.
        assert sum(1 for _ in deciding.iter()) < 3000
        assert etree.RelaxNG(deciding).validate(document), name
        assert etree.RelaxNG(reduce_grammar(tei_all_source, names, keep_names=True)).validate(document), name


def test_tei_all_is_reduced_and_a_small_grammar_compiled_whole(tei_all_source: etree._ElementTree) -> None:
    assert reducible(tei_all_source)
    shipped = ROOT / "schemas" / "teitools.rng"
    assert compile_grammar(shipped, load(shipped)).validator is not None


#: A small grammar with what a reduction must keep: a wildcard that excepts the grammar's own
#: namespace, a name-class choice, an interleave, notAllowed, an attribute reached only
#: through one element, and a define reached only through it.
SMALL = f"""<grammar xmlns="{RNG}" ns="urn:a">
  <start><element name="doc"><interleave>
    <zeroOrMore><choice>
      <ref name="a"/><ref name="b"/><ref name="wild"/><ref name="pair"/>
    </choice></zeroOrMore>
    <optional><element name="once"><empty/></element></optional>
    <optional><element name="never"><notAllowed/></element></optional>
  </interleave></element></start>
  <define name="a"><element name="a"><ref name="only-in-a"/></element></define>
  <define name="only-in-a">
    <attribute name="x"><choice><value>1</value><value>2</value></choice></attribute>
  </define>
  <define name="b"><element name="b"><text/></element></define>
  <define name="pair">
    <element><choice><name>c</name><name ns="urn:o">d</name></choice><text/></element>
  </define>
  <define name="wild"><element><anyName><except><nsName/></except></anyName><empty/></element></define>
</grammar>"""
SMALL_CASES = {
    "only b": ('<doc xmlns="urn:a"><b>t</b></doc>', True),
    "a foreign element, empty": ('<doc xmlns="urn:a"><o:e xmlns:o="urn:o"/></doc>', True),
    "a foreign element with text": ('<doc xmlns="urn:a"><o:e xmlns:o="urn:o">t</o:e></doc>', False),
    "an unknown element of the grammar's namespace": ('<doc xmlns="urn:a"><e/></doc>', False),
    "a name of the choice": ('<doc xmlns="urn:a"><c>t</c><o:d xmlns:o="urn:o">u</o:d></doc>', True),
    "a without its attribute": ('<doc xmlns="urn:a"><a/></doc>', False),
    "a with a wrong value": ('<doc xmlns="urn:a"><a x="3"/><b/></doc>', False),
    "a with a right value": ('<doc xmlns="urn:a"><a x="2"/></doc>', True),
    "once twice": ('<doc xmlns="urn:a"><once/><b/><once/></doc>', False),
    "never": ('<doc xmlns="urn:a"><never/></doc>', False),
    "the wrong root": ('<b xmlns="urn:a">t</b>', False),
}


@pytest.mark.parametrize("case", SMALL_CASES)
def test_a_small_grammar_reduced_gives_the_whole_grammars_findings(
    case: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text, valid = SMALL_CASES[case]
    monkeypatch.setattr(rng_reduce, "MIN_REDUCED_NODES", 0)
    schema = etree.ElementTree(etree.fromstring(SMALL))
    path = tmp_path / "doc.xml"
    data = text.encode()
    reduced = compile_grammar(tmp_path / "small.rng", schema)
    assert reduced.validator is None
    whole = Grammar(tmp_path / "small.rng", schema, etree.RelaxNG(schema))
    document = parse_bytes(data, path)
    assert bool(reduced.validator_for(document).validate(document)) is valid
    expected: list[Diagnostic] = check_grammar(document, whole, SourceLines(path, data), "doc.xml")
    assert bool(expected) is not valid
    assert check_grammar(document, reduced, SourceLines(path, data), "doc.xml") == expected


def test_what_only_a_missing_element_reaches_is_removed() -> None:
    schema = etree.ElementTree(etree.fromstring(SMALL))
    plain = etree.ElementTree(etree.fromstring('<doc xmlns="urn:a"><b>t</b></doc>'))
    foreign = etree.ElementTree(etree.fromstring('<doc xmlns="urn:a"><b>t</b><o:e xmlns:o="urn:o"/></doc>'))

    def defines(document: etree._ElementTree, *, keep_names: bool) -> dict[str, list[str]]:
        """Each definition kept, with the patterns in it."""
        reduced = reduce_grammar(schema, element_names(document), keep_names=keep_names)
        return {
            str(d.get("name")): [etree.QName(p).localname for p in d.iter()]
            for d in reduced.iter(f"{{{RNG}}}define")
        }

    deciding = defines(plain, keep_names=False)
    assert set(deciding) == {"b"}  # a, the attribute only a has, the name choice, the wildcard
    # The wildcard excepts the grammar's namespace: it may match only the foreign element.
    assert set(defines(foreign, keep_names=False)) == {"b", "wild"}
    explaining = defines(plain, keep_names=True)
    assert "only-in-a" not in explaining
    # Kept in place with their names to explain, but empty.
    assert explaining["a"] == ["define", "element", "empty"]
    assert explaining["pair"] == ["define", "element", "choice", "name", "name", "empty"]
    assert explaining["b"] == ["define", "element", "text"]


@pytest.mark.parametrize(
    "grammar",
    [
        f'<grammar xmlns="{RNG}"><start><ref name="missing"/></start></grammar>',
        f'<grammar xmlns="{RNG}"><include href="other.rng"/>'
        '<start><element name="a"><empty/></element></start></grammar>',
        f'<element xmlns="{RNG}" name="a"><empty/></element>',
    ],
    ids=["a reference to no definition", "an include", "no grammar element"],
)
def test_a_grammar_that_is_not_self_contained_is_compiled_whole(
    grammar: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that libxml2 reports its mistakes (a dangling reference) as before."""
    monkeypatch.setattr(rng_reduce, "MIN_REDUCED_NODES", 0)
    assert not reducible(etree.ElementTree(etree.fromstring(grammar)))
