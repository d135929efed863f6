"""``python -m teitools`` and the ``teitools`` command: the command line, started fast."""

from __future__ import annotations

import sys


def _import_lxml_without_rnc2rng() -> None:
    """Import lxml as the command line needs it: without rnc2rng.

    lxml imports rnc2rng when it is installed (for ``RelaxNG.from_rnc_string``, which teitools
    does not use: ``validation/compact.py`` converts ``.rnc`` itself), and rnc2rng imports
    ``urllib.request`` and builds its parser: a third of the start-up of every command. Done
    here only, in the process the command runs in, so that a program importing teitools as a
    library keeps lxml's own compact-syntax support.
    """
    if "lxml.etree" in sys.modules or "rnc2rng" in sys.modules:
        return
    sys.modules["rnc2rng"] = None  # type: ignore[assignment]  # None in sys.modules: "not installed"
    try:
        import lxml.etree  # noqa: F401, PLC0415
    finally:
        del sys.modules["rnc2rng"]  # teitools' own import of it, for a .rnc schema, still works


def main() -> None:
    """The ``teitools`` command."""
    _import_lxml_without_rnc2rng()
    from teitools.cli import run  # noqa: PLC0415 -- after lxml, which must come first

    run()


if __name__ == "__main__":
    main()
