"""Completion at the cursor: register ids in pointers, names and values the schemas allow."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol.types import CompletionItemKind

from teitools.lsp.registers import Entry
from teitools.lsp.text import COMPLETED_POINTERS, cursor_at
from teitools.lsp.vocabulary import Vocabulary


@dataclass(frozen=True)
class Item:
    """One completion: ``label`` is also the text put in place of what was typed;
    ``filter_text`` is what the editor matches the typed text against."""

    label: str
    kind: CompletionItemKind
    detail: str = ""
    filter_text: str | None = None
    sort_text: str | None = None


@dataclass(frozen=True)
class Completions:
    """The items, and where the text they replace starts (an offset into the buffer)."""

    token_start: int
    items: tuple[Item, ...]


def complete(text: str, offset: int, entries: dict[str, Entry], vocabulary: Vocabulary | None) -> Completions:
    """What may be typed at ``offset`` of ``text``."""
    cursor = cursor_at(text, offset)
    items: list[Item] = []
    if cursor.kind == "value" and cursor.attribute in COMPLETED_POINTERS:
        items = _register_ids(cursor.typed, entries)
    elif vocabulary is not None and cursor.kind == "value" and cursor.element and cursor.attribute:
        values = vocabulary.values(cursor.element, cursor.attribute, cursor.ancestors)
        items = [Item(v, CompletionItemKind.EnumMember) for v in values if v.startswith(cursor.typed)]
    elif vocabulary is not None and cursor.kind == "element":
        items = [
            Item(name, CompletionItemKind.Class)
            for name in vocabulary.children(cursor.ancestors)
            if name.startswith(cursor.typed)
        ]
    elif vocabulary is not None and cursor.kind == "attribute" and cursor.element:
        items = [
            Item(name, CompletionItemKind.Property)
            for name in vocabulary.attributes(cursor.element, cursor.ancestors)
            if name not in cursor.present and name.startswith(cursor.typed)
        ]
    return Completions(cursor.token_start, tuple(items))


def _register_ids(typed: str, entries: dict[str, Entry]) -> list[Item]:
    """The entries whose id or any name contains what was typed (``Ordzh`` offers
    ``#ordzhonikidze``), ids that start with it first."""
    wanted = typed.removeprefix("#").casefold()
    found = []
    for entry in entries.values():
        names = " ".join((entry.name, *entry.variants))
        in_id = wanted in entry.id.casefold()
        if wanted and not in_id and wanted not in names.casefold():
            continue
        rank = "0" if entry.id.casefold().startswith(wanted) else "1"
        found.append(
            Item(
                f"#{entry.id}",
                CompletionItemKind.Reference,
                entry.detail,
                # The typed text is matched against this: the editor keeps the item when the
                # encoder types a name, not only the id.
                filter_text=f"{typed}{entry.id} {names}" if typed else f"#{entry.id} {names}",
                sort_text=f"{rank}{entry.id}",
            )
        )
    return sorted(found, key=lambda item: item.sort_text or "")
