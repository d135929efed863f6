"""``teitools lsp``: the Language Server Protocol server editors start.

It gives an editor what ``teitools validate`` knows about an edition while the encoder types:
the findings of the file being edited (cross-file checks included, against the edition on
disk and the unsaved buffers of other open files), completion of register ids, element and
attribute names and closed value lists, hover, go to definition, find references and code
actions. It needs pygls (``pip install teitools[lsp]``); nothing else in teitools imports
this package.
"""
