"""Local authorities, regions and England: one name for each, found from many.

Officers, DfE files and SQL tables spell the same authority differently:
``Bristol, City of`` / ``City of Bristol`` / ``Bristol``; ``Kingston Upon Hull,
City of`` / ``Hull``; ``St. Helens`` / ``St Helens`` / ``Saint Helens``;
``Durham`` / ``County Durham``; ``Telford & Wrekin``; ``Leicestershire County
Council``. An :class:`AreaDirectory` holds the canonical names (LAIT's, as in
DfE's LA code list) with their LA numbers, regions and types, and resolves any
of those spellings, or an LA number, to the canonical name.

Resolution never guesses between two areas: an ambiguous name (``Bournemouth``
could be ``Bournemouth (Pre LG)`` or ``Bournemouth, Christchurch and Poole``)
is an :class:`AreaError` naming the candidates.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from kpi_excel.errors import InputError

__all__ = [
    "Area",
    "AreaDirectory",
    "AreaError",
    "normalise_area",
    "ENGLAND",
    "AUTHORITY_MAX_NUMBER",
]

ENGLAND = "England"
# DfE numbers authorities below 970; England is 970 and regions 980-990.
AUTHORITY_MAX_NUMBER = 969


class AreaError(InputError):
    """An area name we cannot resolve, or that could be more than one area."""


@dataclass(frozen=True)
class Area:
    """One area: an authority (number < 970), a region, or England."""

    name: str
    number: int | None = None
    region: str | None = None  # the region's canonical area name, for an authority
    kind: str = ""  # UA, MD, SC, OLB, ILB for authorities; "region"; "england"

    @property
    def is_authority(self) -> bool:
        return self.kind not in ("region", "england")


_PUNCT = re.compile(r"[^a-z0-9()]+")
# Words around a name that do not tell authorities apart.
_PREFIXES = (
    "london borough of ", "royal borough of ", "metropolitan borough of ", "borough of ",
    "city and county of ", "county of ", "city of ", "the ",
)
_SUFFIXES = (
    " metropolitan borough council", " metropolitan district council", " borough council",
    " county council", " city council", " district council", " council", " mbc", " cc",
    " county", " city",
)


def normalise_area(text: object) -> str:
    """Lower-case words only: ``'St. Helens'`` → ``'st helens'``, ``'Telford &
    Wrekin'`` → ``'telford and wrekin'``; brackets are kept (``(pre lg)``)."""
    value = str(text or "").strip().lower()
    value = value.replace("&", " and ").replace("\u2019", "'").replace("'", "")
    value = _PUNCT.sub(" ", value)
    value = re.sub(r"\bsaint\b", "st", value)
    value = re.sub(r"\s*\(\s*", " (", value)
    value = re.sub(r"\s*\)\s*", ") ", value)
    return re.sub(r"\s+", " ", value).strip()


def _variants(name: str) -> set[str]:
    """Keys a canonical name also answers to (never the bare name of a region)."""
    key = normalise_area(name)
    keys = {key}
    raw = name.strip()
    head, _, tail = raw.partition(",")
    if tail.strip().lower() in ("city of", "county of"):  # "Bristol, City of" -> "City of Bristol", "Bristol"
        keys.add(normalise_area(f"{tail} {head}"))
        keys.add(normalise_area(head))
    # No prefix is stripped here: "City of London" must never answer to "London".
    return keys


def _strip_words(key: str) -> str:
    """A query without council words: 'leicestershire county council' -> 'leicestershire'."""
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, changed = key[len(prefix):], True
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, changed = key[: -len(suffix)], True
    return key.strip()


# Names in common use that no rule derives.
_ALIASES = {
    "hull": "Kingston Upon Hull, City of",
    "county durham": "Durham",
    "bcp": "Bournemouth, Christchurch and Poole",
    "southend": "Southend-on-Sea",
    "england (all schools)": "England",
    "inner london": "London (Inner)",
    "outer london": "London (Outer)",
    "yorkshire and humber": "Yorkshire and the Humber",
    "east": "East of England",
}


@dataclass
class AreaDirectory:
    """Every known area, looked up by any spelling or by LA number."""

    areas: dict[str, Area] = field(default_factory=dict)
    _keys: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _numbers: dict[int, str] = field(default_factory=dict, repr=False)
    # What filled the directory, when a known builder alone did (the bundled code list): a server
    # reuses what it worked out against an equal directory. Any other add() forgets it.
    made_from: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    # --- building -------------------------------------------------------------

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, object]]) -> "AreaDirectory":
        """Build from rows with ``number``, ``name``, ``region`` and ``kind``
        (an LA code list: numbers >= 970 are England and regions)."""
        directory = cls()
        for record in records:
            directory.add(
                str(record["name"]),
                _int_or_none(record.get("number")),
                _text_or_none(record.get("region")),
                _text_or_none(record.get("kind")) or "",
            )
        return directory

    def add(self, name: str, number: int | None = None, region: str | None = None, kind: str = "") -> Area:
        """Add an area (or fill in what an existing one lacks); returns it."""
        self.made_from = None
        name = name.strip()
        if not kind and number is not None:
            kind = "england" if number == 970 else ("region" if number > AUTHORITY_MAX_NUMBER else "")
        if not kind and name == ENGLAND:
            kind = "england"
        old = self.areas.get(name)
        if old is not None:
            area = Area(name, old.number if old.number is not None else number, old.region or region,
                        old.kind or kind)
        else:
            area = Area(name, number, region, kind)
        self.areas[name] = area
        if area.number is not None:
            self._numbers.setdefault(area.number, name)
        for key in _variants(name):
            self._keys.setdefault(key, set()).add(name)
        return area

    def copy(self) -> "AreaDirectory":
        """A directory of its own with the same areas (its adds leave this one as it is)."""
        return AreaDirectory(dict(self.areas), {key: set(names) for key, names in self._keys.items()},
                             dict(self._numbers), self.made_from)

    def take(self, other: "AreaDirectory") -> None:
        """Hold what ``other`` holds (copied: later adds to either stay their own)."""
        copied = other.copy()
        self.areas, self._keys, self._numbers, self.made_from = (copied.areas, copied._keys, copied._numbers,
                                                                 copied.made_from)

    def finish_regions(self) -> None:
        """Point each authority's region at the region's canonical area name
        (the code list says ``Outer London``; the data's area is ``London (Outer)``)."""
        for name, area in list(self.areas.items()):
            if area.region and area.is_authority:
                found = self.find(area.region)
                if found is not None and found != area.region:
                    self.areas[name] = Area(area.name, area.number, found, area.kind)

    # --- looking up -----------------------------------------------------------

    def __contains__(self, name: object) -> bool:
        return name in self.areas

    def __len__(self) -> int:
        return len(self.areas)

    @property
    def authorities(self) -> list[str]:
        """Canonical names of every authority (England and regions left out)."""
        return [name for name, area in self.areas.items() if area.is_authority]

    def number_of(self, name: str) -> int | None:
        area = self.areas.get(name)
        return area.number if area else None

    def region_of(self, name: str) -> str | None:
        area = self.areas.get(name)
        return area.region if area else None

    def by_number(self, number: int) -> str | None:
        return self._numbers.get(number)

    def find(self, text: object) -> str | None:
        """The canonical name for ``text``, or None when unknown.

        Raises :class:`AreaError` when the text could be more than one area.
        """
        candidates = self._candidates(text)
        if len(candidates) > 1:
            raise AreaError(f"'{text}' could be any of {', '.join(sorted(candidates))}; say which")
        return next(iter(candidates), None)

    def resolve(self, text: object, *, lenient: bool = False, source: str | None = None) -> str:
        """Like :meth:`find` but an unknown name is an :class:`AreaError` with
        suggestions. ``lenient`` also accepts a unique start of a name
        (``Leics``? no; ``Leicesters`` yes)."""
        found = self.find(text)
        if found is not None:
            return found
        key = normalise_area(text)
        if lenient and len(key) >= 3:
            starts = {name for k, names in self._keys.items() if k.startswith(key) for name in names}
            if len(starts) == 1:
                return next(iter(starts))
            if len(starts) > 1:
                raise AreaError(f"'{text}' could be any of {', '.join(sorted(starts))}; say which", source=source)
        close = difflib.get_close_matches(key, list(self._keys), n=3, cutoff=0.75)
        names = sorted({name for k in close for name in self._keys[k]})
        hint = f" (did you mean {' or '.join(names)}?)" if names else ""
        raise AreaError(f"unknown area '{text}'{hint}", source=source)

    def _candidates(self, text: object) -> set[str]:
        if text is None:
            return set()
        number = _int_or_none(text)
        if number is not None and str(text).strip().isdigit():
            name = self._numbers.get(number)
            return {name} if name else set()
        if isinstance(text, str) and text.strip() in self.areas:
            return {text.strip()}
        key = normalise_area(text)
        if not key:
            return set()
        if key in self._keys:
            return set(self._keys[key])
        alias = _ALIASES.get(key)
        if alias and alias in self.areas:
            return {alias}
        stripped = _strip_words(key)
        if stripped != key:
            if stripped in self._keys:
                # "London Borough of X" is X, never the region London.
                return {n for n in self._keys[stripped] if self.areas[n].is_authority} or set()
            alias = _ALIASES.get(stripped)
            if alias and alias in self.areas:
                return {alias}
        return set()


def _int_or_none(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if value == value and float(value).is_integer() else None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else None


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return None if text in ("", "NA", "nan", "None") else text
