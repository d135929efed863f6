"""The letter model on shapes other editions use: copies, redirection, embedded letters."""

from __future__ import annotations

from pathlib import Path

from teitools.load.parser import TEI_NS
from teitools.model.tei import read_edition


def test_subtypes_redirection_and_a_letter_embedded_by_decls(tmp_path: Path) -> None:
    path = tmp_path / "embedded.xml"
    path.write_text(
        f"""<TEI xmlns="{TEI_NS}"><teiHeader><profileDesc>
      <correspDesc xml:id="l1">
        <correspAction type="sent"><persName>Ann</persName><placeName>Here</placeName>
        </correspAction>
        <correspAction type="received" subtype="redirecting"><persName>Post</persName>
          <placeName>Relay</placeName></correspAction>
        <correspAction type="sent" subtype="redirecting"><persName>Post</persName>
        </correspAction>
        <correspAction type="received" subtype="to"><persName>Bob</persName>
          <placeName>There</placeName></correspAction>
        <correspAction type="received" subtype="cc"><persName>Cy</persName></correspAction>
      </correspDesc></profileDesc></teiHeader>
      <text><body><div><p>A biography.</p></div><div decls="#l1"><p>The letter.</p></div>
      </body></text></TEI>""",
        encoding="utf-8",
    )
    [letter] = read_edition([path], registers=[]).letters
    assert [(p.name, p.subtype) for p in letter.senders] == [("Ann", None)]
    assert [(p.name, p.subtype) for p in letter.recipients] == [("Bob", "to"), ("Cy", "cc")]
    assert [p.name for p in letter.redirections] == ["Post"]
    assert letter.place_received is not None and letter.place_received.name == "There"
    assert letter.body is not None and "".join(letter.body.itertext()).strip() == "The letter."
