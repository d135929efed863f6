"""A small RIS reader for the round-trip tests: tag -> list of values per record.

It accepts CRLF, LF or CR line ends and the tag line form ``XX  - value``; a record ends at
``ER  -``. Lines that are not tag lines continue the previous value, as RIS allows.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def read_ris(text: str) -> list[dict[str, list[str]]]:
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    last: str | None = None
    for line in text.splitlines():
        match = _TAG.match(line)
        if match is None:
            if line.strip() and current is not None and last is not None:
                current[last][-1] += " " + line.strip()
            elif line.strip():
                raise ValueError(f"not a RIS line outside a record: {line!r}")
            continue
        tag, value = match[1], (match[2] or "").strip()
        if tag == "TY":
            current, last = {"TY": [value]}, "TY"
        elif current is None:
            raise ValueError(f"{tag} before TY")
        elif tag == "ER":
            records.append(current)
            current, last = None, None
        else:
            current.setdefault(tag, []).append(value)
            last = tag
    if current is not None:
        raise ValueError("the last record has no ER line")
    return records
