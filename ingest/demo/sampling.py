"""Vectorised sampling helpers: weighted pools, grouped draws, timelines and largest-remainder allocation.

Everything takes an explicit ``numpy.random.Generator`` and draws in a fixed order, so one seed gives one result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

DAY = 86_400.0


class Pool(NamedTuple):
    """People to draw from, with cumulative weights (zero-weight people are left out)."""

    ids: np.ndarray
    cum: np.ndarray

    @property
    def total(self) -> float:
        return float(self.cum[-1]) if self.cum.size else 0.0


EMPTY_POOL = Pool(np.empty(0, np.int64), np.empty(0, np.float64))


def make_pool(ids: np.ndarray, weights: np.ndarray) -> Pool:
    ids = np.asarray(ids, np.int64)
    w = np.asarray(weights, np.float64)
    keep = w > 0
    return Pool(ids[keep], np.cumsum(w[keep]))


def draw(pool: Pool, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` weighted draws with replacement; -1 when the pool is empty."""
    if n <= 0:
        return np.empty(0, np.int64)
    if pool.ids.size == 0:
        return np.full(n, -1, np.int64)
    u = rng.random(n) * pool.cum[-1]
    k = np.searchsorted(pool.cum, u, side="right")
    np.minimum(k, pool.ids.size - 1, out=k)
    return pool.ids[k]


def draw_grouped(rng: np.random.Generator, keys: np.ndarray, pools: Sequence[Pool]) -> np.ndarray:
    """For each slot, one draw from ``pools[keys[slot]]`` (-1 for a negative key or an empty pool).

    Slots are grouped by key (a stable sort) so each pool is searched once, in key order: deterministic.
    """
    keys = np.asarray(keys, np.int64)
    out = np.full(keys.size, -1, np.int64)
    if keys.size == 0:
        return out
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    ends = np.r_[starts[1:], sk.size]
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        k = int(sk[s])
        if k >= 0:
            out[order[s:e]] = draw(pools[k], rng, e - s)
    return out


def allocate(total: int, weights: Sequence[float] | np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder), each >= ``minimum``.

    >>> allocate(10, [0.5, 0.3, 0.2]).tolist()
    [5, 3, 2]
    >>> allocate(5, [0.9, 0.05, 0.05], minimum=1).tolist()
    [3, 1, 1]
    """
    w = np.asarray(weights, np.float64)
    k = w.size
    if minimum * k > total:
        raise ValueError(f"cannot give {k} parts at least {minimum} out of {total}")
    rest = total - minimum * k
    raw = w / w.sum() * rest
    parts = np.floor(raw).astype(np.int64)
    left = rest - int(parts.sum())
    if left:
        frac = raw - parts
        order = np.lexsort((np.arange(k), -frac))  # largest remainder first, ties by position
        parts[order[:left]] += 1
    return parts + minimum


def group_slices(keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Order that sorts ``keys`` (stable) and the start offset of each key 0..n_keys (CSR layout)."""
    order = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=n_keys)
    offsets = np.zeros(n_keys + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    return order, offsets


class Timeline(NamedTuple):
    """The simulated window [t0, t1) in Unix seconds, with a per-day base activity (weekends and holidays low)."""

    t0: float
    t1: float
    day_weight: np.ndarray  # one weight per day of the window

    @property
    def days(self) -> int:
        return int(self.day_weight.size)


def make_timeline(end_day: np.datetime64, days: int = 730) -> Timeline:
    start = end_day - np.timedelta64(days, "D")
    dates = start + np.arange(days).astype("timedelta64[D]")
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    w = np.where(weekday >= 5, 0.12, 1.0)
    month_day = np.array([s[5:] for s in np.datetime_as_string(dates, unit="D").tolist()])
    holiday = (month_day >= "12-24") | (month_day <= "01-01")
    w = np.where(holiday, w * 0.3, w)
    t0 = float(start.astype("datetime64[s]").astype(np.int64))
    return Timeline(t0, t0 + days * DAY, w)


def sample_days(
    tl: Timeline, rng: np.random.Generator, n: int, trend: float | np.ndarray = 0.0, busy: np.ndarray | None = None
) -> np.ndarray:
    """Day index in the window for ``n`` events; ``trend`` > 0 grows over the window, < 0 fades out;
    ``busy`` (one bool per day) limits events to those days."""
    x = (np.arange(tl.days) + 0.5) / tl.days
    if np.ndim(trend) == 0:
        dens = tl.day_weight * np.clip(1.0 + float(trend) * (x - 0.5) * 2.0, 0.05, None)
        if busy is not None and busy.any():
            dens = dens * busy
        cum = np.cumsum(dens)
        return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), tl.days - 1)
    # one trend per event: grouped by distinct trend value
    trend = np.asarray(trend, np.float64)
    out = np.empty(n, np.int64)
    values, inverse = np.unique(trend, return_inverse=True)
    for j, v in enumerate(values.tolist()):
        idx = np.flatnonzero(inverse == j)
        out[idx] = sample_days(tl, rng, idx.size, v)
    return out


def place_in_day(
    tl: Timeline, rng: np.random.Generator, day: np.ndarray, utc_offset: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Event times: the window day is stretched into each author's active interval [start, end), then a local
    working-hours time (around 13:30 local) is converted to UTC with the author's offset."""
    span = np.maximum(end - start, DAY)
    day0 = np.floor((start - tl.t0) / DAY)
    ndays = np.maximum(np.floor(span / DAY), 1.0)
    d = day0 + np.floor(day.astype(np.float64) * ndays / tl.days)
    hour = np.clip(rng.normal(13.5, 2.6, day.size), 7.0, 22.0) - utc_offset
    t = tl.t0 + d * DAY + hour * 3600.0 + rng.random(day.size) * 60.0
    return np.clip(t, np.maximum(start, tl.t0), np.minimum(end, tl.t1) - 1.0)


def lognormal_delay(rng: np.random.Generator, n: int, median_s: float | np.ndarray, sigma: float) -> np.ndarray:
    """Response delays (seconds) with the given median; heavy right tail as observed on Q&A sites."""
    return np.asarray(median_s) * np.exp(rng.normal(0.0, sigma, n))


class PoolBank:
    """Named families of pools laid end to end, so one :func:`draw_grouped` call serves mixed sources."""

    def __init__(self) -> None:
        self.pools: list[Pool] = []
        self.offset: dict[str, int] = {}

    def add(self, name: str, pools: Sequence[Pool]) -> None:
        self.offset[name] = len(self.pools)
        self.pools.extend(pools)

    def key(self, name: str, index: np.ndarray | int) -> np.ndarray:
        """Bank keys for ``index`` within family ``name``; a negative index stays -1 (no draw)."""
        idx = np.asarray(index, np.int64)
        return np.where(idx >= 0, idx + self.offset[name], -1)

    def draw(self, rng: np.random.Generator, keys: np.ndarray) -> np.ndarray:
        return draw_grouped(rng, keys, self.pools)


def lookup_pairs(keys_sorted: np.ndarray, values: np.ndarray, query: np.ndarray, default: float = 0.0) -> np.ndarray:
    """Vectorised dictionary lookup: ``values[i]`` where ``keys_sorted[i] == query``, else ``default``."""
    if keys_sorted.size == 0:
        return np.full(query.size, default)
    pos = np.minimum(np.searchsorted(keys_sorted, query), keys_sorted.size - 1)
    hit = keys_sorted[pos] == query
    return np.where(hit, values[pos], default)
