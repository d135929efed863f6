"""Remembered renderings of CSL nodes, so that citeproc-py formats what repeats only once.

A letter's citation is mostly made of parts that other letters share: the volume (editors,
title, publisher, place, year) is the same for every letter printed in it, a writer's name
for all their letters, the style's fixed words for all. citeproc-py renders each part anew
for every item (about 7,800 Python calls for one Chicago note). :func:`install` wraps the
rendering of ``cs:macro``, ``cs:group``, ``cs:choose`` and ``cs:names``, and the rendering
of a whole citation or bibliography entry by ``cs:layout``, so that a node rendered once for
some input hands back the same result the next time it meets the same input, for any style
and any item. A layout is the node whose input is the whole item: two letters that cite
alike (written on one day by one writer to one recipient, printed in one volume; their ids,
which no style prints, are never read) share their citation, and for editions where that is
rare the layout is soon no longer looked up (below).

Why a remembered result cannot differ from a rendering. A node's rendering is a function of:

- the style: the node's element and everything below it, the macros it calls, the locale's
  terms and dates. They are fixed once the style is parsed, so the node itself is in the
  key; two parsed styles never share an element. The one place citeproc-py changed the style
  while rendering (a date's ``cs:date-part`` options written into the locale's date format
  for good) is made to last for one rendering only (:mod:`teitools.cite.citeproc_patches`);
- the formatter (plain or HTML), which each processor sets on the style's root: in the key;
- the arguments: the context element (which decides the layout, and whether the node is in
  a citation or a bibliography), the name options a sort key imposes, the delimiter a group
  passes through a ``cs:choose``, the names a ``cs:substitute`` lends: all in the key (a
  layout is looked up only when citeproc-py renders it for an item with no arguments, as
  it always does; the item's prefix and suffix are added outside it);
- the item's variables that the rendering read. While a node renders, its item's reference
  notes every variable looked up (``[]``, ``in``, ``get`` and attribute access, which
  citeproc-py turns into ``[]``; any other way of reading the reference, such as iterating
  it, stops the result from being remembered). The result is remembered with the lookups
  made and their answers: for ``in``, whether the item has the variable; for the others, its
  value (frozen whole, with its Python types: citeproc-py treats ``NoCase`` text, dates,
  ranges and literal dates differently; a variable the item lacks is absent). The frozen
  variables are made once per reference, which several styles may share (a page's item is
  read once for its five styles) since citeproc-py never changes a reference. A later item
  that gives the same answers to those lookups is rendered along the same path: rendering
  is deterministic, so each lookup it makes is the one made before and gets the same
  answer, up to the same result. A variable behind a branch not taken was never read, and
  one only tested for was not read for its value, so neither splits the memo (a letter's
  own date does not stop its volume from being found);
- what citeproc-py reads from the cite rather than the reference, decided from the style:
  the locator (label and value) and the citation number where a node below reads them, and
  the answer of every ``position`` test below (first, subsequent, ibid, near-note: they
  depend on what was cited before), computed as citeproc-py computes it for this cite (every
  node below shares the layout, so the answer is the same wherever the test sits);
- the state citeproc-py keeps between nodes while it renders one item: the variables a
  ``cs:substitute`` used, which later ``cs:text`` nodes must leave out (the layout's
  ``repressed`` lists). The key holds, for each ``cs:text`` variable below the node, whether
  it is suppressed (or, when nothing is suppressed yet, as at the start of each item, just
  that); a rendering that suppresses variables records which, and a remembered result
  suppresses them again, so the nodes after it see the same state.

Group suppression (a ``cs:group`` whose variables are all empty prints nothing) and the
punctuation seams (a suffix's period merged with a period that ends the text) are decided
inside the node or by its parent from the node's result, so the result (or the
``VariableError`` that suppresses the group) is remembered as it is; citeproc-py builds new
strings when it joins, so a shared result is never changed afterwards. Errors other than
citeproc-py's own signals are not remembered: the node is rendered again and fails again.

The memo holds at most :data:`MEMO_LIMIT` results and starts afresh when full: parts that
repeat (a volume, a correspondent) are found again at once, while a letter's own date or page
does not pile up. A node that seldom finds a result (fewer than a quarter of
:data:`TRIALS` lookups) is no longer looked up but rendered, as citeproc-py renders it; what
it reads is still noted for the nodes above it. Like citeproc-py, which keeps a rendering's
state on the shared parsed style (the formatter, the ``repressed`` lists), the memo is for one
thread at a time: :mod:`teitools.cite.styles` formats under a lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

CSL_NS = "http://purl.org/net/xbiblio/csl"
_TEXT_TAG = f"{{{CSL_NS}}}text"
#: Results kept before the memo starts afresh. A Chicago note of a letter whose parts were
#: never seen adds about 70; a site formats a handful of styles per letter.
MEMO_LIMIT = 50_000
#: The shapes (sets of variables read) remembered per node: a node reads one set per path
#: through its branches, and a style has few paths per node.
SHAPES_PER_NODE = 32
#: Lookups of a node before it may be found not worth remembering (fewer than a quarter
#: found a result).
TRIALS = 100
#: Attributes whose values name variables a node reads from the cite.
_VARIABLE_ATTRIBUTES = ("variable", "is-numeric", "is-uncertain-date")
#: Where an item keeps its frozen variables (a key no CSL variable has).
_FROZEN = "_teitools_frozen"
#: Marks a variable whose presence alone was asked (``in``): its value does not matter.
_PRESENCE = "?"
#: A recording that saw the reference read in a way it cannot describe.
_UNKNOWN = "\x00unknown"

#: The citeproc-py methods :func:`install` wraps ("Class.method").
WRAPPED = (
    "Macro.render",
    "Layout.render_children",
    "Group.render",
    "Choose.render",
    "If.render",
    "Names.render",
)

Outcome = tuple[bool, Any, tuple[tuple[str, tuple[str, ...]], ...]]


@dataclass
class _Shape:
    """One set of lookups a node made (``names``: a variable read for its value, or marked
    :data:`_PRESENCE` when only asked for by ``in``) and, per answers of an item to them, the
    outcome (result or signal, and the variables it suppressed)."""

    names: tuple[str, ...]
    results: dict[tuple[Any, ...], Outcome] = field(default_factory=dict)


@dataclass
class _Slot:
    """What one node remembered for one key: the shapes it read."""

    shapes: list[_Shape] = field(default_factory=list)


@dataclass(frozen=True)
class _Reads:
    """What a node's subtree reads from the cite and the layout: see the module docstring."""

    root: Any
    #: Variables of ``cs:text`` nodes, which a ``cs:substitute`` may have suppressed.
    text_variables: tuple[str, ...]
    locator: bool
    number: bool
    #: One ``cs:if``/``cs:else-if`` per distinct ``position`` test.
    positions: tuple[Any, ...]
    #: Whether the key needs more than the node, the formatter and the arguments.
    more: bool


_slots: dict[tuple[Any, ...], _Slot] = {}
#: Per node: lookups and how many found a result; nodes that seldom find one are no longer
#: looked up.
_trials: dict[Any, list[int]] = {}
#: Per node, what its subtree reads (:func:`_reads`), found in one dictionary lookup.
_plans: dict[Any, _Reads] = {}
_bypassed: set[Any] = set()
_count = [0]
_enabled = [True]
#: The variables read by each rendering under way, innermost last.
_recording: list[set[str]] = []
#: citeproc-py's signals, not failures: a group with nothing to print, a branch not taken.
_SIGNALS: list[type[Exception]] = []
_RECORDING_REFERENCE: list[type] = []
#: citeproc-py's style elements, which equal only themselves.
_ELEMENT: list[type] = []


@contextmanager
def disabled() -> Iterator[None]:
    """Render without the memo (for comparing its results with citeproc-py's own)."""
    _enabled[0] = False
    try:
        yield
    finally:
        _enabled[0] = True


def clear() -> None:
    """Forget every remembered result."""
    _slots.clear()
    _plans.clear()
    _trials.clear()
    _bypassed.clear()
    _count[0] = 0


def size() -> int:
    """How many results the memo holds."""
    return _count[0]


def install(replace: Callable[[Any, str, Any], None]) -> None:
    """Wrap the rendering methods (``replace(cls, name, function)`` records and sets one)."""
    from citeproc.model import (  # noqa: PLC0415
        Choose,
        ConditionFailed,
        Group,
        If,
        Layout,
        Macro,
        Names,
        SomewhatObjectifiedElement,
        VariableError,
    )
    from citeproc.source import Reference  # noqa: PLC0415

    _SIGNALS[:] = [VariableError, ConditionFailed]
    _ELEMENT[:] = [SomewhatObjectifiedElement]
    _RECORDING_REFERENCE[:] = [_recording_reference(Reference)]
    macro = Macro.render

    def macro_render(self: Any, item: Any, context: Any = None, sort_options: Any = None) -> Any:
        if self in _bypassed:  # rendered as _render would render it, one call sooner
            return macro(self, item, context, sort_options)
        return _render(macro, self, item, context, {"context": context, "sort_options": sort_options})

    replace(Macro, "render", macro_render)
    layout_children = Layout.render_children

    def layout_render_children(self: Any, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
        # A whole citation or entry: citeproc-py calls this once per item, with a fresh
        # ``repressed`` state and nothing else. Letters that cite alike (two of one day to
        # one person in one volume) share it; for the others the node is soon bypassed.
        if delimiter or kwargs:
            return layout_children(self, item, delimiter, **kwargs)
        return _render(layout_children, self, item, None, {})

    replace(Layout, "render_children", layout_render_children)
    # If also renders cs:else-if, its subclass.
    for cls in (Group, Choose, If, Names):
        replace(cls, "render", _keyword_render(cls.render))


def _recording_reference(reference: type) -> type:
    """citeproc-py's reference, noting the variables looked up while a node renders."""
    from citeproc.source import VariableError  # noqa: PLC0415

    recording = _recording

    def unknown(*_args: Any) -> None:
        if recording:
            recording[-1].add(_UNKNOWN)

    class Recording(reference):  # type: ignore[misc]
        # citeproc-py's CustomDict.__getitem__ (and __getattr__, which reads through it),
        # with the note made in the same call: a citation reads its item some 70 times.
        def __getitem__(self, name: str) -> Any:
            if recording:
                recording[-1].add(name)
            try:
                return dict.__getitem__(self, name)
            except KeyError:
                raise VariableError from None

        __getattr__ = __getitem__

        def __contains__(self, name: object) -> bool:
            if recording:
                recording[-1].add(_PRESENCE + str(name))
            return dict.__contains__(self, name)

        def get(self, name: str, default: Any = None) -> Any:
            if recording:
                recording[-1].add(name)
            return dict.get(self, name, default)

        def __iter__(self) -> Iterator[str]:
            unknown()
            return dict.__iter__(self)

        def keys(self) -> Any:
            unknown()
            return dict.keys(self)

        def values(self) -> Any:
            unknown()
            return dict.values(self)

        def items(self) -> Any:
            unknown()
            return dict.items(self)

        def __len__(self) -> int:
            unknown()
            return dict.__len__(self)

    return Recording


def _keyword_render(original: Callable[..., Any]) -> Callable[..., Any]:
    def render(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        # citeproc-py passes these nodes' options by keyword; anything else as it is. A
        # bypassed node as _render would render it, one call sooner.
        if args or self in _bypassed:
            return original(self, item, *args, **kwargs)
        return _render(original, self, item, kwargs.get("context"), kwargs)

    return render


def _render(original: Callable[..., Any], node: Any, item: Any, context: Any, kwargs: dict[str, Any]) -> Any:
    if node in _bypassed or not _enabled[0]:
        return original(node, item, **kwargs)
    try:
        key, layout = _key(node, item, context, kwargs)
        frozen = _frozen_reference(item)
        slot = _slots.get(key)  # TypeError for an argument that cannot be a key
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        # Not an input the key can describe (an item without a bibliography, a node outside
        # any layout): citeproc-py renders it, and fails where it fails.
        return original(node, item, **kwargs)
    trials = _trials.get(node)
    if trials is None:
        trials = _trials[node] = [0, 0]
    trials[0] += 1
    found = None if slot is None else _lookup(slot, frozen)
    if found is not None:
        trials[1] += 1
        return _replay(found, layout)
    if trials[0] >= TRIALS and trials[1] * 4 < trials[0]:
        # A node whose input is new nearly every time (a letter's own date): looking it up
        # costs more than it saves. Rendering it unremembered is what citeproc-py does.
        _bypassed.add(node)
        return original(node, item, **kwargs)
    before = {tag: len(names) for tag, names in layout.repressed.items()}
    read: set[str] = set()
    _recording.append(read)
    try:
        value = original(node, item, **kwargs)
        ok = True
    except tuple(_SIGNALS) as error:
        value, ok = type(error), False
    finally:
        _recording.pop()
        if _recording:
            _recording[-1].update(read)
    if _UNKNOWN not in read:
        suppressed = tuple(
            (tag, tuple(names[before.get(tag, 0) :]))
            for tag, names in layout.repressed.items()
            if len(names) > before.get(tag, 0)
        )
        _remember(key, tuple(sorted(read)), frozen, (ok, value, suppressed))
    if ok:
        return value
    raise value()


def _lookup(slot: _Slot, frozen: dict[str, Any]) -> Outcome | None:
    """The outcome remembered for what the item answers to one of the slot's shapes."""
    get = frozen.get
    for shape in slot.shapes:
        found = shape.results.get(tuple(map(get, shape.names)))
        if found is not None:
            if _recording:
                _recording[-1].update(shape.names)
            return found
    return None


def _replay(found: Outcome, layout: Any) -> Any:
    ok, value, suppressed = found
    for tag, variables in suppressed:
        layout.repressed.setdefault(tag, []).extend(variables)
    if ok:
        return value
    raise value()


def _remember(key: tuple[Any, ...], names: tuple[str, ...], frozen: dict[str, Any], outcome: Outcome) -> None:
    """Keep the outcome under the item's answers to the lookups ``names``: the frozen value of
    each variable read (None for one the item lacks: a frozen value is never None), and for
    each marked :data:`_PRESENCE`, True when the item has it (the frozen variables hold a
    presence entry per variable the item has) or None."""
    if _count[0] >= MEMO_LIMIT:
        clear()
    slot = _slots.setdefault(key, _Slot())
    shape = next((s for s in slot.shapes if s.names == names), None)
    if shape is None:
        if len(slot.shapes) >= SHAPES_PER_NODE:
            return
        shape = _Shape(names)
        slot.shapes.append(shape)
    shape.results[tuple(map(frozen.get, names))] = outcome
    _count[0] += 1


def _key(node: Any, item: Any, context: Any, kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], Any]:
    reads = _plans.get(node)
    if reads is None:
        reads = _plans[node] = _reads(node)
    if context is None:
        layout = node.get_layout()
        # The arguments: none, the context alone (most calls), or all of them. An element,
        # None and a tuple never equal one another, so the three never share a key.
        arguments: Any = None if not kwargs else _arguments(kwargs)
    else:
        layout = context.get_layout()
        arguments = context if len(kwargs) == 1 and "context" in kwargs else _arguments(kwargs)
    if not reads.more:
        return (node, reads.root.formatter, arguments), layout
    key: list[Any] = [node, reads.root.formatter, arguments]
    if reads.text_variables:
        repressed = layout.repressed.get(_TEXT_TAG)
        # None when nothing is suppressed yet, as at the start of every citation.
        key.append(tuple(name in repressed for name in reads.text_variables) if repressed else None)
    if reads.locator:
        locator = dict.get(item, "locator")
        key.append(None if locator is None else (_freeze(locator.label), _freeze(locator.identifier)))
    if reads.number:
        key.append(item.number)
    if reads.positions:
        effective = node if context is None else context
        key.append(tuple(tuple(test._position(item, effective)) for test in reads.positions))
    return tuple(key), layout


def _arguments(kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The arguments as a key. What citeproc-py passes (a context element, None, a delimiter
    ``str``) equals only itself, so the pairs themselves do (in the order of the call, which
    is the same at each call site; another order only misses); anything else is frozen with
    its type, as triples, which never equal pairs."""
    for value in kwargs.values():
        if not (value is None or type(value) is str or isinstance(value, _ELEMENT[0])):
            return tuple(
                (name, type(value), _freeze(value) if isinstance(value, (dict, list)) else value)
                for name, value in sorted(kwargs.items())
            )
    return tuple(kwargs.items())


def _frozen_reference(item: Any) -> dict[str, Any]:
    """The item's variables, frozen, and a presence entry for each (:func:`_remember`); kept
    with the item (as :mod:`teitools.cite.citeproc_patches` keeps its reference), which
    belongs to one bibliography and is not changed while it is formatted. The reference
    starts noting what is read from it."""
    try:
        return dict.__getitem__(item, _FROZEN)
    except KeyError:
        reference = item.reference
        # A reference read once for several styles (teitools.cite.styles.Prepared) is frozen
        # once: citeproc-py never changes a reference.
        frozen: dict[str, Any] | None = vars(reference).get(_FROZEN)
        if frozen is None:
            frozen = {name: _freeze(value) for name, value in dict.items(reference)}
            hash(tuple(frozen.values()))  # TypeError for data that cannot be a key
            frozen.update({_PRESENCE + name: True for name in dict.keys(reference)})
            # citeproc-py's dictionaries store attributes as keys: go past their __setattr__.
            object.__setattr__(reference, _FROZEN, frozen)
        if type(reference) is not _RECORDING_REFERENCE[0]:
            object.__setattr__(reference, "__class__", _RECORDING_REFERENCE[0])
        dict.__setitem__(item, _FROZEN, frozen)
        return frozen


def _freeze(value: Any) -> Any:
    """A hashable value equal for equal inputs, with the types citeproc-py tells apart."""
    if isinstance(value, dict):
        return (type(value), tuple(sorted((k, _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_freeze(v) for v in value))
    return (type(value), value)


# Keyed by the style's elements: Chicago has about 6,000, and teitools.cite.styles keeps 8
# parsed styles.
@lru_cache(maxsize=65_536)
def _reads(node: Any) -> _Reads:
    text_variables: set[str] = set()
    positions: dict[str, Any] = {}
    locator = number = False
    for attribute in _VARIABLE_ATTRIBUTES:
        for name in (node.get(attribute) or "").split():
            locator |= name == "locator"
            number |= name == "citation-number"
    locator |= node.get("locator") is not None
    if node.tag == _TEXT_TAG and node.get("variable") is not None:
        text_variables.add(str(node.get("variable")))
    if node.get("position") is not None:
        positions[str(node.get("position"))] = node
    below = [child for child in node if isinstance(child.tag, str)]
    if node.tag == _TEXT_TAG and node.get("macro") is not None:
        below.append(node.get_macro(node.get("macro")))
    for child in below:
        reads = _reads(child)
        text_variables.update(reads.text_variables)
        locator |= reads.locator
        number |= reads.number
        for test in reads.positions:
            positions.setdefault(str(test.get("position")), test)
    return _Reads(
        node.getroottree().getroot(),
        tuple(sorted(text_variables)),
        locator,
        number,
        tuple(positions[p] for p in sorted(positions)),
        bool(text_variables or locator or number or positions),
    )
