"""Near-identical messages (the text side of 重复件): which messages say the same thing about the
same place within a few days. Places come from :mod:`duban.cases.places`.

Owns :func:`link_duplicates`, which finds candidate pairs by MinHash/LSH over character 3-shingles in
one unsorted heap of messages, keeps pairs inside the time window whose exact shingle Jaccard
reaches the threshold and whose places agree, and groups them under the earliest case; and
:class:`DuplicateIndex`, the search intake uses: cases filed under scopes (an address, an address
id, a map cell), each new case compared by exact Jaccard with the earlier cases of its scopes in
the window. Pure: no database, no wall clock.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from duban.cases.places import specific_places
from duban.cases.textutil import char_shingles, jaccard

_PRIME = (1 << 61) - 1
_NUM_PERM = 64
_BANDS = 16  # 16 bands × 4 rows: a pair with Jaccard 0.6 becomes a candidate with p ≈ 0.89
_MAX_BUCKET = 2000


@dataclass(frozen=True)
class CaseText:
    """What dedupe needs of a case: its id, text, optional place and when it came in."""

    id: str
    text: str
    place: str | None
    at: datetime


@dataclass(frozen=True)
class DuplicateGroup:
    """A parent case (the earliest) and the cases that duplicate it; similarity is the weakest link."""

    parent_id: str
    child_ids: list[str]
    similarity: float


def _specific_places(case: CaseText) -> set[str]:
    """Places that identify where a case is: the given place, else named places in the text."""
    return specific_places(case.place, case.text)


def _places_agree(a: set[str], b: set[str]) -> bool:
    """Two cases are about the same place unless both name places and none is shared."""
    if not a or not b:
        return True
    return any(x == y or x in y or y in x for x in a for y in b)


def _minhash(shingles: set[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if not shingles:
        return np.full(a.shape, _PRIME, dtype=np.uint64)
    h = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in shingles), dtype=np.uint64)
    # (a·h + b) mod p with p = 2^61 − 1; h < 2^32 and a < 2^29 keep the product below 2^64.
    return ((np.outer(a, h) + b[:, None]) % np.uint64(_PRIME)).min(axis=1)


def link_duplicates(
    cases: Sequence[CaseText], *, window_days: float = 7, threshold: float = 0.6
) -> list[DuplicateGroup]:
    """Group near-identical cases about the same place within ``window_days`` under the earliest."""
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    window = timedelta(days=window_days)
    order = sorted(range(len(cases)), key=lambda i: (cases[i].at, cases[i].id))
    rng = np.random.default_rng(20261128)
    a = rng.integers(1, 1 << 29, size=_NUM_PERM, dtype=np.uint64)
    b = rng.integers(0, 1 << 29, size=_NUM_PERM, dtype=np.uint64)
    shingles = [char_shingles(c.text, k=3) for c in cases]
    rows = _NUM_PERM // _BANDS
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    sigs = np.zeros((len(cases), _NUM_PERM), dtype=np.uint64)
    for i in order:  # buckets fill in time order
        sig = sigs[i] = _minhash(shingles[i], a, b)
        for band in range(_BANDS):
            buckets[(band, sig[band * rows : (band + 1) * rows].tobytes())].append(i)
    places: dict[int, set[str]] = {}
    edges: dict[tuple[int, int], float] = {}
    for members in buckets.values():
        if len(members) < 2:
            continue
        members = members[-_MAX_BUCKET:]
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if cases[j].at - cases[i].at > window:
                    break
                key = (i, j)
                if key in edges:
                    continue
                # the signatures' agreement estimates Jaccard (±0.12 at 2σ); skip clear misses
                if float((sigs[i] == sigs[j]).mean()) < threshold - 0.2:
                    edges[key] = -1.0
                    continue
                sim = jaccard(shingles[i], shingles[j])
                if sim < threshold:
                    edges[key] = -1.0
                    continue
                pi = places.setdefault(i, _specific_places(cases[i]))
                pj = places.setdefault(j, _specific_places(cases[j]))
                edges[key] = sim if _places_agree(pi, pj) else -1.0
    # Union-find over the accepted edges; the earliest case of a component is its parent.
    parent = list(range(len(cases)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rank = {i: r for r, i in enumerate(order)}
    weakest: dict[int, float] = {}
    for (i, j), sim in edges.items():
        if sim < 0:
            continue
        ri, rj = find(i), find(j)
        low = min(sim, weakest.get(ri, 1.0), weakest.get(rj, 1.0))
        if ri != rj:
            root, other = (ri, rj) if rank[ri] < rank[rj] else (rj, ri)
            parent[other] = root
            weakest.pop(other, None)
            ri = root
        weakest[ri] = low
    groups: dict[int, list[int]] = defaultdict(list)
    for i in order:
        groups[find(i)].append(i)
    ordered = sorted((members for members in groups.values() if len(members) > 1), key=lambda m: rank[m[0]])
    return [
        DuplicateGroup(
            parent_id=cases[members[0]].id,
            child_ids=[cases[m].id for m in members[1:]],
            similarity=round(weakest.get(find(members[0]), 1.0), 4),
        )
        for members in ordered
    ]


class _Filed:
    """A case in a :class:`DuplicateIndex`; shingles and places are worked out when first needed."""

    __slots__ = ("_places", "_shingles", "id", "key", "place", "root", "text")

    def __init__(self, id: str, text: str, place: str | None, key: tuple[datetime, int], root: str) -> None:
        self.id, self.text, self.place, self.key, self.root = id, text, place, key, root
        self._shingles: frozenset[str] | None = None
        self._places: set[str] | None = None

    @property
    def shingles(self) -> frozenset[str]:
        if self._shingles is None:
            self._shingles = frozenset(char_shingles(self.text, k=3))
        return self._shingles

    @property
    def places(self) -> set[str]:
        if self._places is None:
            self._places = specific_places(self.place, self.text)
        return self._places


class _Scope:
    """The cases filed under one scope, in order of receipt (``keys`` parallel to ``filed``)."""

    __slots__ = ("filed", "keys")

    def __init__(self) -> None:
        self.keys: list[tuple[datetime, int]] = []
        self.filed: list[_Filed] = []

    def put(self, f: _Filed) -> None:
        if not self.keys or self.keys[-1] <= f.key:  # the usual case: filed in order of receipt
            self.keys.append(f.key)
            self.filed.append(f)
        else:
            at = bisect_right(self.keys, f.key)
            self.keys.insert(at, f.key)
            self.filed.insert(at, f)

    def between(self, low: tuple[datetime, int], high: tuple[datetime, int]) -> list[_Filed]:
        keys = self.keys
        if keys[0] > high or keys[-1] < low:
            return []
        return self.filed[bisect_left(keys, low) : bisect_right(keys, high)]


class DuplicateIndex:
    """Near-identical search of new cases against earlier ones that share a scope, in a time window.

    A case is filed under one or more scopes (any hashable: an address, an address id, a map cell)
    with its root (the group's parent: its own id, or the id of the case it duplicates). A search
    looks at the cases of the given scopes received within ``window_days`` before the new one, the
    newest first, at most ``limit`` of those ``keep`` accepts; a case is near-identical when the exact
    Jaccard of char 3-shingles reaches ``threshold`` (pairs whose sizes alone rule that out are
    skipped) and the places agree (:func:`link_duplicates`' rules). The answer is the root of the
    earliest near-identical case. Scopes keep the candidate lists short, so exact Jaccard is cheaper
    here than MinHash signatures; a case's shingles are only made once it has a candidate.

    >>> from datetime import UTC
    >>> t = datetime(2026, 3, 3, tzinfo=UTC)
    >>> index = DuplicateIndex(window_days=3, threshold=0.6)
    >>> index.add(CaseText("7", "和平路12号路灯不亮已经一周了", None, t), scopes=["和平路12号"])
    >>> index.link(CaseText("b1", "和平路12号路灯不亮已经一周了！", None, t), search=["和平路12号"])
    '7'
    >>> index.link(CaseText("b2", "和平路12号路灯不亮已经一周", None, t), search=["和平路12号"])
    '7'
    >>> index.link(CaseText("b3", "和平路12号路灯不亮已经一周了", None, t), search=["别处"]) is None
    True
    """

    def __init__(self, *, window_days: float, threshold: float, limit: int = 200) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        self.window = timedelta(days=window_days)
        self.threshold = threshold
        self.limit = limit
        self._scopes: dict[Hashable, _Scope] = {}
        self._seq = 0

    def _filed(self, case: CaseText, root: str | None) -> _Filed:
        self._seq += 1
        return _Filed(case.id, case.text, case.place, (case.at, self._seq), root or case.id)

    def _file(self, f: _Filed, scopes: Iterable[Hashable]) -> None:
        for scope in scopes:
            got = self._scopes.get(scope)
            if got is None:
                got = self._scopes[scope] = _Scope()
            got.put(f)

    def add(self, case: CaseText, *, scopes: Iterable[Hashable], root: str | None = None) -> None:
        """File a known case under ``scopes``; ``root`` is the case it duplicates (default: itself)."""
        self._file(self._filed(case, root), scopes)

    def _candidates(self, new: _Filed, search: Iterable[Hashable]) -> list[_Filed]:
        """The filed cases of ``search`` received in the window up to ``new``, the newest first."""
        low, high = (new.key[0] - self.window, -1), new.key
        found: list[_Filed] = []
        several = False
        for scope in search:
            got = self._scopes.get(scope)
            if got is not None:
                part = got.between(low, high)
                if part:
                    several = bool(found)
                    found.extend(part)
        if several:
            found = sorted({id(f): f for f in found}.values(), key=lambda f: f.key)
        found.reverse()
        return found

    def _match(
        self, new: _Filed, search: Iterable[Hashable], keep: Callable[[str], bool] | None
    ) -> str | None:
        candidates = self._candidates(new, search)
        if keep is not None and candidates:
            candidates = [f for f in candidates if keep(f.id)]
        if not candidates:
            return None
        mine = new.shingles
        size, threshold = len(mine), self.threshold
        best: _Filed | None = None
        for f in candidates[: self.limit]:
            theirs = f.shingles
            other = len(theirs)
            if not size or not other or min(size, other) < threshold * max(size, other):
                continue  # Jaccard ≤ min/max: cannot reach the threshold
            common = len(mine & theirs)
            if common < threshold * (size + other - common):
                continue
            if (best is None or f.key < best.key) and _places_agree(new.places, f.places):
                best = f
        return None if best is None else best.root

    def link(
        self,
        case: CaseText,
        *,
        search: Iterable[Hashable],
        file_under: Iterable[Hashable] = (),
        keep: Callable[[str], bool] | None = None,
    ) -> str | None:
        """The root of the earliest near-identical case in ``search`` (None: not a duplicate); then
        file ``case`` under ``file_under`` with that root, so later cases can find it."""
        new = self._filed(case, None)
        root = self._match(new, search, keep)
        if root is not None:
            new.root = root
        self._file(new, file_under)
        return root
