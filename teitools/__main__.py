"""``python -m teitools``: the same as the ``teitools`` command."""

from teitools.cli import run

run()
