"""Whatever certainty, evidence, dates and names a letter carries, the exports stay valid."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from teitools.export import cmif
from teitools.export import json as json_export
from teitools.export.base import ExportOptions
from teitools.load.settings import load_settings
from teitools.model.dates import PartialDate
from teitools.model.types import DateSpan, Edition, Letter, Participant
from tests.helpers import EDITION, REFERENCE
from tests.test_cmif_export import cmif_rule_failures

CERTS = st.sampled_from([None, "low", "medium", "high", "unknown", "likely"])
EVIDENCE = st.sampled_from([None, "conjecture", "internal", "external"])
DAYS = st.builds(
    PartialDate, st.integers(1000, 2100), st.sampled_from([None, 1, 7, 12]), st.none()
) | st.builds(PartialDate, st.integers(1000, 2100), st.just(2), st.integers(1, 28))
DATES = st.none() | st.builds(
    DateSpan,
    when=st.none() | DAYS,
    not_before=st.none() | DAYS,
    not_after=st.none() | DAYS,
    cert=CERTS,
    evidence=EVIDENCE,
    text=st.sampled_from(["", "some day"]),
)
PEOPLE = st.lists(
    st.builds(
        Participant,
        st.sampled_from(["", "A. Writer", "Ünïcode & <co>"]),
        st.sampled_from([None, "stalin", "unknown", "http://example.org/p"]),
        CERTS,
    ),
    max_size=3,
)


@cache
def _grammar() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(REFERENCE / "cmif" / "cmi-customization.rng")))


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"the reference files are absent ({REFERENCE})")
@settings(max_examples=150, deadline=None)
@given(senders=PEOPLE, recipients=PEOPLE, date=DATES)
def test_any_letter_exports_to_valid_cmif(
    senders: list[Participant], recipients: list[Participant], date: DateSpan | None
) -> None:
    letter = Letter("x-1930", Path("x-1930.xml"), "X", tuple(senders), tuple(recipients), date)
    options = ExportOptions(settings=load_settings(EDITION / "teitools.toml"))
    result = cmif.export(Edition((letter,)), options)
    root = etree.fromstring(result.files[cmif.FILE_NAME].encode("utf-8"))
    assert _grammar().validate(root), _grammar().error_log
    assert cmif_rule_failures(root.getroottree()) == []
    certs = [p.cert for p in [*senders, *recipients]]
    lossy = [c for c in certs if c not in (None, "low", "high")]
    if date is not None and (date.when or date.not_before or date.not_after):
        lossy += [c for c in [date.cert] if c not in (None, "low", "high")]
        lossy += [e for e in [date.evidence] if e not in (None, "conjecture")]
    elif date is not None:
        lossy.append("unreadable date")
    assert len(result.warnings) == len(lossy)
    assert all(w.message.startswith("letter x-1930: ") for w in result.warnings)


@settings(max_examples=100, deadline=None)
@given(
    senders=PEOPLE,
    recipients=PEOPLE,
    date=DATES,
    letter_id=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
)
def test_any_letter_gives_schema_valid_json(
    senders: list[Participant],
    recipients: list[Participant],
    date: DateSpan | None,
    letter_id: str,
) -> None:
    letter = Letter(letter_id, Path("x.xml"), "X", tuple(senders), tuple(recipients), date)
    options = ExportOptions(settings=load_settings(EDITION / "teitools.toml"))
    # export() validates against letters.schema.json and raises if a record breaks it.
    result = json_export.export(Edition((letter,)), options)
    assert json.loads(result.files[json_export.FILE_NAME])["letters"][0]["id"] == letter_id
