"""The map of places: the register's places that have coordinates, over a land outline.

Offline: the outline is Natural Earth's 1:110m land (public domain) shipped in
``teitools/site/data/land-110m.json`` (see its README), drawn in an equirectangular projection
scaled by the cosine of the middle latitude, framed around the places with a margin. A place's
dot grows with the letters that involve it (written or received there, or naming it); places
where letters were written or received are drawn apart from places only named.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from markupsafe import Markup

from teitools.model.types import Edition, Letter
from teitools.render.links import register_href
from teitools.render.templating import render

_WIDTH = 640.0
_MARGIN_DEGREES = 4.0
_LEAST_SPAN_DEGREES = 12.0
_ASPECT = 1.5  # width to height


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    radius: float
    name: str
    href: str
    label: str
    correspondence: bool  # letters were written or received here


@dataclass(frozen=True)
class PlacesMap:
    width: float
    height: float
    land: str  # the SVG path data of the outline within the frame
    dots: tuple[Dot, ...]
    without_coordinates: tuple[str, ...]


@dataclass(frozen=True)
class PlaceLetters:
    """What letters do with one place."""

    written: int = 0
    received: int = 0
    mentioned: int = 0


def places_map(edition: Edition, uses: Mapping[str, PlaceLetters]) -> PlacesMap | None:
    """The map of the edition's places (by their ``geo``); None when no place has coordinates."""
    places = list(edition.places.values())
    placed = [place for place in places if place.geo is not None]
    unplaced = tuple(sorted(place.name for place in places if place.geo is None))
    if not placed:
        return None
    latitudes = [place.geo[0] for place in placed if place.geo]
    longitudes = [place.geo[1] for place in placed if place.geo]
    south, north = _frame(min(latitudes), max(latitudes), -85.0, 85.0)
    west, east = _frame(min(longitudes), max(longitudes), -180.0, 180.0)
    squeeze = math.cos(math.radians((south + north) / 2))
    # Widen the narrower side to the map's proportions, so that the places are not squeezed
    # into a tall strip (or a thin band).
    wide, high = (east - west) * squeeze, north - south
    if wide < _ASPECT * high:
        west, east = _frame(west, east, -180.0, 180.0, least=_ASPECT * high / squeeze, margin=0.0)
    elif wide > _ASPECT * high:
        south, north = _frame(south, north, -85.0, 85.0, least=wide / _ASPECT, margin=0.0)
    scale = _WIDTH / ((east - west) * squeeze)
    height = (north - south) * scale

    def project(latitude: float, longitude: float) -> tuple[float, float]:
        return ((longitude - west) * squeeze * scale, (north - latitude) * scale)

    dots = []
    busiest = max((_total(uses.get(place.id, PlaceLetters())) for place in placed), default=0) or 1
    for place in sorted(placed, key=lambda p: (p.name.casefold(), p.id)):
        if place.geo is None:  # filtered above; for the type checker
            continue
        x, y = project(*place.geo)
        use = uses.get(place.id, PlaceLetters())
        dots.append(
            Dot(
                x,
                y,
                3.0 + 7.0 * math.sqrt(_total(use) / busiest),
                place.name,
                register_href(place.id, edition) or "",
                _label(place.name, use),
                bool(use.written or use.received),
            )
        )
    return PlacesMap(_WIDTH, height, _land(project, south, north, west, east), tuple(dots), unplaced)


def map_figure(found: PlacesMap | None) -> Markup:
    """The SVG figure ("" when no place has coordinates)."""
    if found is None:
        return Markup("")
    return render("places_map.html", map=found)


def place_uses(letters: Iterable[Letter], mentioned: Mapping[str, list[Letter]]) -> dict[str, PlaceLetters]:
    """For each place id, how many letters were written or received there or name it."""
    written: dict[str, int] = {}
    received: dict[str, int] = {}
    for letter in letters:
        if letter.place_sent and letter.place_sent.ref:
            written[letter.place_sent.ref] = written.get(letter.place_sent.ref, 0) + 1
        if letter.place_received and letter.place_received.ref:
            received[letter.place_received.ref] = received.get(letter.place_received.ref, 0) + 1
    ids = {*written, *received, *mentioned}
    return {
        ref: PlaceLetters(written.get(ref, 0), received.get(ref, 0), len(mentioned.get(ref, ())))
        for ref in ids
    }


def _frame(
    low: float,
    high: float,
    floor: float,
    ceiling: float,
    *,
    least: float = _LEAST_SPAN_DEGREES,
    margin: float = _MARGIN_DEGREES,
) -> tuple[float, float]:
    """The range around [low, high] with a margin, at least ``least`` degrees, within the globe."""
    middle = (low + high) / 2
    half = max((high - low) / 2 + margin, least / 2)
    return max(floor, middle - half), min(ceiling, middle + half)


def _total(use: PlaceLetters) -> int:
    return use.written + use.received + use.mentioned


def _label(name: str, use: PlaceLetters) -> str:
    parts = []
    for count, what in ((use.written, "written"), (use.received, "received"), (use.mentioned, "naming it")):
        if count:
            parts.append(
                f"{count} letter{'s' if count != 1 else ''} {what}" + ("" if what == "naming it" else " here")
            )
    return f"{name}: " + ("; ".join(parts) if parts else "in the register, not in a letter")


@cache
def _outline() -> tuple[tuple[float, ...], ...]:
    text = (files("teitools.site") / "data" / "land-110m.json").read_text(encoding="utf-8")
    return tuple(tuple(ring) for ring in json.loads(text))


def _land(
    project: Callable[[float, float], tuple[float, float]],
    south: float,
    north: float,
    west: float,
    east: float,
) -> str:
    """Path data of the land rings that reach into the frame (the SVG clips the rest)."""
    paths = []
    for ring in _outline():
        longitudes, latitudes = ring[0::2], ring[1::2]
        if (
            max(latitudes) < south
            or min(latitudes) > north
            or max(longitudes) < west
            or min(longitudes) > east
        ):
            continue
        points = [
            project(latitude, longitude) for longitude, latitude in zip(longitudes, latitudes, strict=True)
        ]
        paths.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(paths)
