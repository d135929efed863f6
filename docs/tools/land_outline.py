"""Make ``teitools/site/data/land-110m.json``, the land outline the site's map draws.

The outline is Natural Earth's 1:110m land (public domain), as redistributed in the npm
package world-atlas (TopoJSON). Run once when the data is to be refreshed:

    npm pack world-atlas@2 && tar xzf world-atlas-*.tgz
    python docs/tools/land_outline.py package/land-110m.json > teitools/site/data/land-110m.json

The output is a list of rings, each a flat list ``[lon, lat, lon, lat, ...]`` rounded to 0.1°:
about a third of the TopoJSON's size, and read with nothing but ``json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised positions
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        decoded.append(points)
    return decoded


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])  # consecutive arcs share an end point
    return ring


def main(path: str) -> None:
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    rings = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for indices in polygon:
                flat: list[float] = []
                for lon, lat in _ring(indices, arcs):
                    flat += [round(lon, 1), round(lat, 1)]
                rings.append(flat)
    json.dump(rings, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
