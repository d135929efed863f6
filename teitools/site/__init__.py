"""The static edition site: index, letter pages, registers, sources and search.

:func:`build_site` returns every file of the site (relative name -> content); writing them is
the caller's job (:func:`teitools.output.write_files`). The same edition always gives the same
bytes: no timestamps, and every listing in a stable order.
"""

from teitools.site.builder import SiteOptions, build_site

__all__ = ["SiteOptions", "build_site"]
