"""The static edition site: index, letter pages, registers, sources and search.

:func:`teitools.site.builder.build_site` returns every file of the site (relative name ->
content); writing them is the caller's job (:func:`teitools.export.output.write_files`). The
same edition always gives the same bytes: no timestamps, and every listing in a stable order.
"""
