"""A synthetic edition shaped like ``tei/``, for benchmarks: N letters and their registers.

The letters follow the edition's encoding (``docs/encoding.md``): a ``correspDesc`` with one
sent and one received action, exact, month-only and uncertain dates, datelines, numbered
points, emphasis, names pointing at the registers, the article's insertions and losses. Every
file is valid against ``schemas/teitools.rng`` and ``schemas/teitools.sch`` and passes the
cross-file checks, so a benchmark measures the clean path that an edition takes every day.

The persons, bodies and sources are invented (the places are real towns); nothing here is
part of the edition. Output is deterministic: the same ``seed`` gives the same bytes, and
letter *i* does not depend on N, so a corpus of 2,000 is the first 2,000 letters of one of
10,000.

    from benchmarks.corpus import write_corpus
    files = write_corpus(Path("/tmp/corpus"), 2000)   # registers first, then the letters

or from the shell: ``python -m benchmarks.corpus /tmp/corpus -n 2000``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path
from xml.sax.saxutils import escape

#: Where the letters go inside the corpus folder; the registers sit beside that folder,
#: as in ``tei/``, so that ``teitools validate FOLDER`` finds them.
LETTERS_FOLDER = "letters"
REGISTER_FILES = ("persons.xml", "places.xml", "sources.xml")

_ARTICLE = "bench-article"
_VOLUMES = ("bench-volume-1", "bench-volume-2", "bench-volume-3")
_FIRST_DAY = dt.date(1920, 1, 1)
_LAST_DAY = dt.date(1940, 12, 31)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_SURNAMES = (
    "ivanov",
    "petrov",
    "sidorov",
    "smirnov",
    "kuznetsov",
    "popov",
    "vasiliev",
    "sokolov",
    "mikhailov",
    "novikov",
    "fedorov",
    "morozov",
    "volkov",
    "alekseev",
    "lebedev",
    "semenov",
    "egorov",
    "pavlov",
    "kozlov",
    "stepanov",
    "nikolaev",
    "orlov",
    "andreev",
    "makarov",
    "zakharov",
    "zaitsev",
    "soloviev",
    "borisov",
    "yakovlev",
    "grigoriev",
    "romanov",
    "vorobiev",
    "sergeev",
    "kuzmin",
    "frolov",
    "alexandrov",
    "dmitriev",
    "korolev",
    "gusev",
    "kiselev",
)
_FORENAMES = (
    "Ivan",
    "Pyotr",
    "Nikolai",
    "Sergei",
    "Mikhail",
    "Grigory",
    "Lazar",
    "Anastas",
    "Vyacheslav",
    "Kliment",
    "Andrei",
    "Valerian",
    "Yan",
    "Avel",
    "Stanislav",
)
_PLACES = (
    ("moscow", "Moscow", "city"),
    ("leningrad", "Leningrad", "city"),
    ("kiev", "Kiev", "city"),
    ("kharkov", "Kharkov", "city"),
    ("sochi", "Sochi", "city"),
    ("tiflis", "Tiflis", "city"),
    ("baku", "Baku", "city"),
    ("rostov", "Rostov", "city"),
    ("saratov", "Saratov", "city"),
    ("kazan", "Kazan", "city"),
    ("gorky", "Gorky", "city"),
    ("stalingrad", "Stalingrad", "city"),
    ("omsk-region", "Omsk region", "region"),
    ("ukraine", "Ukraine", "republic"),
    ("north-caucasus", "North Caucasus", "region"),
    ("siberia", "Siberia", "region"),
)
_ORGS = (
    ("central-committee", "Central Committee", "CC"),
    ("politburo", "Politburo", None),
    ("sovnarkom", "Sovnarkom", None),
    ("gosplan", "Gosplan", None),
    ("grain-trust", "Grain Trust", None),
    ("metal-trust", "Metal Trust", None),
    ("tractor-plant", "Tractor Plant", "TP"),
    ("control-commission", "Control Commission", None),
)
_TEXT = (
    "the plan grain procurements must be fulfilled without delay and the regions that fail "
    "will answer for it we cannot allow any further cuts in deliveries supply of metal to "
    "plants is a disgrace send someone reliable to push hard on the collective farms report "
    "to me at once on the state of affairs with the harvest the draft is essentially correct "
    "but needs polishing strike out the last words I think it necessary to check the figures "
    "again the commissariat has still not straightened out the system of payments loans must "
    "be repaid in full by the end of the quarter it seems to me that we should wait until the "
    "autumn the decision of the conference was a gross violation of discipline"
)
_WORDS = tuple(_TEXT.split())


@dataclass(frozen=True)
class _Person:
    id: str
    forename: str
    surname: str


def write_corpus(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """Write the registers and ``n`` letters into ``folder``; return the files written.

    The registers come first, then ``folder/letters/*.xml`` in sorted order. ``folder`` is
    created; it must not already hold files, so that a corpus never mixes two runs.
    """
    if n < 0:
        raise ValueError(f"the number of letters must be 0 or more, not {n}")
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; give a new or empty folder")
    letters = folder / LETTERS_FOLDER
    letters.mkdir(parents=True, exist_ok=True)
    persons = _persons()
    written = [_write(folder / name, text) for name, text in _registers(persons).items()]
    taken: set[str] = set()
    letter_files = []
    for index in range(n):
        rng = random.Random(f"teitools-bench:{seed}:letter:{index}")  # noqa: S311 -- test data, not secrets
        letter_id, text = _letter(rng, persons, taken)
        letter_files.append(_write(letters / f"{letter_id}.xml", text))
    return written + sorted(letter_files)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _persons() -> list[_Person]:
    return [
        _Person(surname, _FORENAMES[i % len(_FORENAMES)], surname.capitalize())
        for i, surname in enumerate(_SURNAMES)
    ]


# ------------------------------------------------------------------ registers


def _document(title: str, source_desc: str, body: str, root_id: str = "") -> str:
    id_attribute = f' xml:id="{root_id}"' if root_id else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0"{id_attribute} xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title>{escape(title)}</title>
      </titleStmt>
      <publicationStmt>
        <publisher>teitools benchmark</publisher>
        <availability>
          <licence target="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</licence>
        </availability>
      </publicationStmt>
      <sourceDesc>
{source_desc}
      </sourceDesc>
    </fileDesc>
  </teiHeader>
{body}
</TEI>
"""


def _register_source() -> str:
    return (
        "        <p>Invented for the teitools benchmark; compiled from "
        f'<bibl corresp="#{_ARTICLE}">a synthetic article</bibl>.</p>'
    )


def _registers(persons: list[_Person]) -> dict[str, str]:
    person_entries = "\n".join(
        f"""        <person xml:id="{p.id}">
          <persName type="main"><forename>{p.forename}</forename> \
<surname>{p.surname}</surname></persName>
          <birth when="{1870 + i % 25}"/>
          <death when="{1940 + i % 40}"/>
          <occupation from="{1917 + i % 10}">Member of the \
<orgName ref="#{org_id}">{org_name}</orgName></occupation>
        </person>"""
        for i, (p, (org_id, org_name, _)) in enumerate(zip(persons, cycle(_ORGS), strict=False))
    )
    unknown = """        <person xml:id="unknown">
          <persName type="main">unknown</persName>
          <note>Stands for participants whom the source does not name.</note>
        </person>"""
    org_entries = "\n".join(
        f"""        <org xml:id="{org_id}">
          <orgName type="main">{name}</orgName>{
            f'{chr(10)}          <orgName type="variant">{short}</orgName>' if short else ""
        }
        </org>"""
        for org_id, name, short in _ORGS
    )
    place_entries = "\n".join(
        f"""        <place xml:id="{place_id}" type="{kind}">
          <placeName type="main">{name}</placeName>
        </place>"""
        for place_id, name, kind in _PLACES
    )
    volume_entries = "\n".join(
        f"""        <biblStruct xml:id="{volume}">
          <monogr>
            <title level="m">Collected Letters, volume {i + 1}</title>
            <editor><persName><forename>A.</forename> <surname>Editor</surname></persName></editor>
            <imprint>
              <pubPlace>Nowhere</pubPlace>
              <publisher>Benchmark Press</publisher>
              <date when="{2000 + i}">{2000 + i}</date>
            </imprint>
          </monogr>
        </biblStruct>"""
        for i, volume in enumerate(_VOLUMES)
    )
    article = f"""        <bibl xml:id="{_ARTICLE}">
          <author><persName><forename>A.</forename> <surname>Author</surname></persName></author>,
          <title level="a">A synthetic article quoting letters</title>
        </bibl>"""
    return {
        "persons.xml": _document(
            "teitools benchmark: register of persons and organisations",
            _register_source(),
            _register_body(
                f"      <listPerson>\n{person_entries}\n{unknown}\n      </listPerson>\n"
                f"      <listOrg>\n{org_entries}\n      </listOrg>"
            ),
        ),
        "places.xml": _document(
            "teitools benchmark: register of places",
            _register_source(),
            _register_body(f"      <listPlace>\n{place_entries}\n      </listPlace>"),
        ),
        "sources.xml": _document(
            "teitools benchmark: register of sources",
            "        <p>Invented for the teitools benchmark.</p>",
            _register_body(f"      <listBibl>\n{volume_entries}\n{article}\n      </listBibl>"),
        ),
    }


def _register_body(lists: str) -> str:
    return f"  <text>\n    <body>\n{lists}\n    </body>\n  </text>"


# ------------------------------------------------------------------ letters


@dataclass(frozen=True)
class _Date:
    attributes: str  # the date's attributes, e.g. ' when="1932-07-01"'
    text: str  # as a reader writes it: "1 July 1932"
    id_part: str  # the date in the letter id: "1932-07-01", "1932-07" or "1932"
    note: str  # the reasoning behind an uncertain date, else ""


def _letter(rng: random.Random, persons: list[_Person], taken: set[str]) -> tuple[str, str]:
    sender, recipient = rng.sample(persons, 2)
    date = _random_date(rng)
    letter_id = _unique_id(f"{sender.id}-{recipient.id}-{date.id_part}", taken)
    sent = [f'<persName ref="#{sender.id}">{sender.forename} {sender.surname}</persName>']
    if rng.random() < 0.3:
        place_id, place_name, _ = rng.choice(_PLACES)
        sent.append(f'<placeName ref="#{place_id}">{place_name}</placeName>')
    sent.append(f"<date{date.attributes}>{date.text}</date>")
    if date.note:
        sent.append(f"<note>{date.note}</note>")
    received = _received(rng, recipient, persons, sender)
    header = f"""  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title>{sender.surname} to {recipient.surname}, {date.text}</title>
      </titleStmt>
      <publicationStmt>
        <publisher>teitools benchmark</publisher>
        <availability>
          <licence target="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</licence>
        </availability>
      </publicationStmt>
      <sourceDesc>
        <bibl type="transcription" corresp="#{_ARTICLE}">A synthetic article quoting letters</bibl>
        <bibl type="edition" corresp="#{rng.choice(_VOLUMES)}">Collected Letters</bibl>
      </sourceDesc>
    </fileDesc>
    <profileDesc>
      <correspDesc>
        <correspAction type="sent">
          {_lines(sent, 10)}
        </correspAction>
        <correspAction type="received">
          {_lines(received, 10)}
        </correspAction>
      </correspDesc>
      <langUsage>
        <language ident="en">English (translated from Russian)</language>
      </langUsage>
    </profileDesc>
  </teiHeader>"""
    body = _body(rng, persons, date, sender)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="{letter_id}" xml:lang="en">
{header}
  <text>
    <body>
      <div type="letter">
        {_lines(body, 8)}
      </div>
    </body>
  </text>
</TEI>
"""
    return letter_id, text


def _lines(parts: Sequence[str], indent: int) -> str:
    return ("\n" + " " * indent).join(parts)


def _unique_id(base: str, taken: set[str]) -> str:
    # The id pattern allows one lower-case letter after the date for letters of the same day.
    suffixes: list[str] = ["", *string.ascii_lowercase]
    for suffix in suffixes:
        candidate = f"{base}{suffix}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise RuntimeError(f"more than 27 letters with the id {base}")


def _random_date(rng: random.Random) -> _Date:
    day = _FIRST_DAY + dt.timedelta(days=rng.randrange((_LAST_DAY - _FIRST_DAY).days + 1))
    kind = rng.random()
    if kind < 0.7:
        return _Date(f' when="{day.isoformat()}"', _spoken(day), day.isoformat(), "")
    if kind < 0.85:
        month = day.strftime("%Y-%m")
        return _Date(f' when="{month}"', f"{_MONTHS[day.month - 1]} {day.year}", month, "")
    later = day + dt.timedelta(days=rng.randrange(30, 800))
    return _Date(
        f' notBefore="{day.year}" notAfter="{later.isoformat()}" cert="low" evidence="conjecture"',
        f"between {day.year} and {_spoken(later)}",
        str(day.year),
        "The source gives no date; the range follows from the events the letter mentions.",
    )


def _spoken(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _received(rng: random.Random, recipient: _Person, persons: list[_Person], sender: _Person) -> list[str]:
    if rng.random() < 0.1:
        return [
            f'<persName ref="#{recipient.id}" cert="low">{recipient.forename} {recipient.surname}</persName>',
            "<note>The beginning of the letter is not quoted; the recipient is probable "
            "from the context.</note>",
        ]
    names = [f'<persName ref="#{recipient.id}">{recipient.forename} {recipient.surname}</persName>']
    if rng.random() < 0.05:
        other = rng.choice([p for p in persons if p not in (sender, recipient)])
        names.append(f'<persName ref="#{other.id}">{other.forename} {other.surname}</persName>')
    return names


def _body(rng: random.Random, persons: list[_Person], date: _Date, sender: _Person) -> list[str]:
    parts: list[str] = []
    opener = []
    if not date.note and rng.random() < 0.4:
        opener.append(f"<dateline><date{date.attributes}>{date.text}</date></dateline>")
    if rng.random() < 0.2:
        opener.append(f"<salute>Dear {rng.choice(persons).forename},</salute>")
    if opener:
        parts.append(f"<opener>{''.join(opener)}</opener>")
    if rng.random() < 0.2:
        parts.append('<gap reason="omitted"/>')
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.2:
            start = rng.randint(1, 5)
            items = "".join(
                f'\n          <item n="{start + k}">{_phrase(rng, persons, rng.randint(10, 40))}</item>'
                for k in range(rng.randint(2, 5))
            )
            parts.append(f'<list type="numbered">{items}\n        </list>')
        else:
            parts.append(f"<p>{_phrase(rng, persons, rng.randint(20, 90))}</p>")
    if rng.random() < 0.15:
        parts.append(f"<closer><salute>Greetings,</salute><signed>{sender.surname}</signed></closer>")
    return parts


def _phrase(rng: random.Random, persons: list[_Person], length: int) -> str:
    """Words of a paragraph, with the inline encoding of the edition sprinkled in."""
    out: list[str] = []
    words = [rng.choice(_WORDS) for _ in range(length)]
    words[0] = words[0].capitalize()
    for position, word in enumerate(words):
        roll = rng.random()
        if roll < 0.04:
            out.append(f'<hi rend="italic">{word}</hi>')
        elif roll < 0.07:
            person = rng.choice(persons)
            out.append(f'<persName ref="#{person.id}">{person.surname}</persName> {word}')
        elif roll < 0.09:
            place_id, name, _ = rng.choice(_PLACES)
            out.append(f'{word} <placeName ref="#{place_id}">{name}</placeName>')
        elif roll < 0.105:
            org_id, name, _ = rng.choice(_ORGS)
            out.append(f'{word} the <orgName ref="#{org_id}">{name}</orgName>')
        elif roll < 0.115:
            out.append(f'<supplied reason="clarification" source="#{_ARTICLE}">{word}</supplied>')
        elif roll < 0.12:
            person = rng.choice(persons)
            out.append(
                f'{word}<note type="editorial" source="#{_ARTICLE}"><persName '
                f'ref="#{person.id}">{person.forename} {person.surname}</persName></note>'
            )
        elif roll < 0.13:
            out.append(f'<gap reason="omitted"/> {word}')
        elif roll < 0.135:
            out.append(f"<q>{word}</q>")
        else:
            out.append(word)
        if position == len(words) - 1:
            out[-1] += "."
    return " ".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Write a corpus from the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.corpus",
        description="Write a synthetic edition of N letters and its registers into FOLDER.",
    )
    parser.add_argument("folder", type=Path, help="a new or empty folder")
    parser.add_argument("-n", type=int, default=2000, help="number of letters (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    try:
        files = write_corpus(args.folder, args.n, args.seed)
    except (ValueError, FileExistsError) as error:
        parser.error(str(error))
    print(f"{len(files)} files ({args.n} letters and {len(REGISTER_FILES)} registers) in {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
