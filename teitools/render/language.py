"""What a reading text says in its letter's language: quotation marks and the page's labels.

The language is the letter's ``xml:lang`` (or ``langUsage``) as the model reads it, and for
quotation marks the nearest ``xml:lang`` around the quotation; a language not listed here
reads as English. Only the primary subtag counts ("de-AT" is German).
"""

from __future__ import annotations

#: Opening and closing marks, outer quotation first, then a quotation inside a quotation.
#: French sets its guillemets off with a no-break space.
_QUOTES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "en": (("“", "”"), ("‘", "’")),
    "de": (("„", "“"), ("\u201a", "‘")),
    "fr": (("«\u00a0", "\u00a0»"), ("“", "”")),
    "ru": (("«", "»"), ("„", "“")),
    "uk": (("«", "»"), ("„", "“")),
    "it": (("«", "»"), ("“", "”")),
    "es": (("«", "»"), ("“", "”")),
    "pl": (("„", "”"), ("«", "»")),
    "cs": (("„", "“"), ("\u201a", "‘")),
    "nl": (("“", "”"), ("‘", "’")),
    "sv": (("”", "”"), ("’", "’")),
    "da": (("»", "«"), ("\u203a", "\u2039")),
}

#: The labels of a letter page and of a reading text's notes, by language.
_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "from": "From",
        "to": "To",
        "copy-to": "Copy to",
        "redirected-by": "Redirected by",
        "date": "Date",
        "written-at": "Written at",
        "received-at": "Received at",
        "text-from": "Text from",
        "published-in": "Published in",
        "manuscript": "Manuscript",
        "source": "Source",
        "editors-notes": "Editors’ notes",
        "notes": "Notes",
        "page": "Page",
        "unknown": "unknown",
        "note": "Note",
        "back-to-note": "Back to the text of note",
        "inferred": "inferred by the editors",
    },
    "de": {
        "from": "Von",
        "to": "An",
        "copy-to": "Kopie an",
        "redirected-by": "Weitergeleitet von",
        "date": "Datum",
        "written-at": "Geschrieben in",
        "received-at": "Empfangen in",
        "text-from": "Text nach",
        "published-in": "Veröffentlicht in",
        "manuscript": "Handschrift",
        "source": "Quelle",
        "editors-notes": "Anmerkungen der Herausgeber",
        "notes": "Anmerkungen",
        "page": "Seite",
        "unknown": "unbekannt",
        "note": "Anmerkung",
        "back-to-note": "Zurück zum Text der Anmerkung",
        "inferred": "von den Herausgebern erschlossen",
    },
    "fr": {
        "from": "De",
        "to": "À",
        "copy-to": "Copie à",
        "redirected-by": "Réexpédiée par",
        "date": "Date",
        "written-at": "Écrite à",
        "received-at": "Reçue à",
        "text-from": "Texte d’après",
        "published-in": "Publiée dans",
        "manuscript": "Manuscrit",
        "source": "Source",
        "editors-notes": "Notes des éditeurs",
        "notes": "Notes",
        "page": "Page",
        "unknown": "inconnu",
        "note": "Note",
        "back-to-note": "Retour au texte de la note",
        "inferred": "déduite par les éditeurs",
    },
    "ru": {
        "from": "От",
        "to": "Кому",
        "copy-to": "Копия",
        "redirected-by": "Переслано",
        "date": "Дата",
        "written-at": "Место написания",
        "received-at": "Место получения",
        "text-from": "Текст по",
        "published-in": "Опубликовано в",
        "manuscript": "Рукопись",
        "source": "Источник",
        "editors-notes": "Примечания редакторов",
        "notes": "Примечания",
        "page": "Страница",
        "unknown": "неизвестно",
        "note": "Примечание",
        "back-to-note": "Назад к тексту примечания",
        "inferred": "установлено редакторами",
    },
}


def primary(language: str | None) -> str:
    """The primary subtag of a language tag, lower case: "de-AT" -> "de"; "" for None."""
    return (language or "").split("-")[0].strip().casefold()


def quote_marks(language: str | None, depth: int) -> tuple[str, str]:
    """The marks around a quotation ``depth`` quotations deep (0: not inside another)."""
    outer, inner = _QUOTES.get(primary(language), _QUOTES["en"])
    return outer if depth % 2 == 0 else inner


def labels_language(language: str | None) -> str | None:
    """The language the labels for ``language`` are in, when it is not the pages' English."""
    code = primary(language)
    return code if code in _LABELS and code != "en" else None


def label(key: str, language: str | None) -> str:
    """A page label ("from", "notes"…) in ``language``, English when it is not listed."""
    return _LABELS.get(primary(language), _LABELS["en"])[key]
