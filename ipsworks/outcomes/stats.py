"""Small statistics helpers for outcome figures (no person-level data)."""

from __future__ import annotations

import math


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The Wilson score interval (95% by default) for a proportion successes/trials.

    Returns None when there are no trials. The interval is clipped to [0, 1]. (For the job
    start rate, which can exceed 1 when people start several jobs, the interval describes the
    rate as if each referral were one trial, capped at 100%.)
    """
    if trials <= 0:
        return None
    p = min(successes / trials, 1.0)
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
