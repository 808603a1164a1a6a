"""Exact statistics for reports: decimals throughout, and one stated method for each figure,
so that the same events always give the same digits."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def half_up(value: Decimal, places: Decimal = ONE_DECIMAL) -> Decimal:
    """Rounded as people round (2.75 -> 2.8), not to even."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def exact(value: Decimal) -> Decimal:
    """A sum as it is, without trailing zeros (13152.00 -> 13152, 1182.50 -> 1182.5)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return half_up(sum(values, Decimal(0)) / len(values)) if values else None


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The middle value, or the mean of the two middle ones."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return half_up(ordered[middle])
    return half_up((ordered[middle - 1] + ordered[middle]) / 2)


def nearest_rank(values: Sequence[Decimal], percent: int) -> Decimal | None:
    """The percentile by the nearest-rank method: a value that occurred (p90 of waits)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent * len(ordered) / 100) - 1)]


def quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Q1 and Q3 by linear interpolation between closest ranks (the 'inclusive' method)."""
    ordered = sorted(values)

    def at(p: Decimal) -> Decimal:
        h = (len(ordered) - 1) * p
        low = int(h)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (h - low) * (ordered[high] - ordered[low])

    return at(Decimal("0.25")), at(Decimal("0.75"))


def far_out_fence(values: Sequence[Decimal], factor: Decimal) -> Decimal | None:
    """Tukey's upper fence Q3 + factor x IQR: a case above it took exceptionally much
    time (the Den Haag evaluation set two such cases apart). None below four values."""
    if len(values) < 4:
        return None
    q1, q3 = quartiles(values)
    return q3 + factor * (q3 - q1)
