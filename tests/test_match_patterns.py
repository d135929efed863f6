"""Rule contexts (XSLT match patterns) as selections, and the lxml shortcuts taken for them."""

from __future__ import annotations

import pytest

from teitools.validation.schematron.match_patterns import candidate_xpath, lxml_xpath, match_expression

NS = {"tei": "http://www.tei-c.org/ns/1.0"}


@pytest.mark.parametrize(
    ("context", "expression"),
    [
        ("tei:date", "//tei:date"),
        ("tei:correspDesc/@source", "//tei:correspDesc/@source"),
        ("/", "/"),
        ("/tei:TEI", "/tei:TEI"),
        ("tei:a | tei:b[@n = '|']", "//tei:a | //tei:b[@n = '|']"),
        ("(tei:a | tei:b)/tei:c", "//(tei:a | tei:b)/tei:c"),
    ],
)
def test_match_expression(context: str, expression: str) -> None:
    assert match_expression(context) == expression


def test_xpath1_contexts_go_to_lxml_and_xpath2_ones_do_not() -> None:
    assert lxml_xpath(match_expression("tei:date[@when]"), NS) is not None
    assert lxml_xpath(match_expression("tei:date[@when eq '1932']"), NS) is None
    assert lxml_xpath(match_expression("tei:date[@when = $year]"), NS) is None


@pytest.mark.parametrize(
    ("context", "candidates"),
    [
        ("tei:desc[ @type eq 'deprecationInfo']", "//tei:desc"),
        ("(tei:classSpec | tei:specGrp)/tei:listRef/tei:ptr | tei:x/tei:ref", "//tei:ptr | //tei:ref"),
        ("tei:*[@when]", "//tei:*"),
        ("tei:rt/@target", "//@target"),
        ("tei:rt/attribute::from", "//@from"),
    ],
)
def test_candidates_are_found_by_the_last_name_test(context: str, candidates: str) -> None:
    found = candidate_xpath(context, NS)
    assert found is not None
    assert found.path == candidates


@pytest.mark.parametrize("context", ["/", "text()", "tei:p/node()", "element(tei:p)"])
def test_no_candidates_without_a_name_test(context: str) -> None:
    assert candidate_xpath(context, NS) is None
