"""When to check a feed next: pure policy, no clock and no database.

A feed is checked about as often as it publishes: its interval is a week divided by the
items it carried in the last week (Miniflux's entry-frequency rule), kept within the
operator's bounds. A failing feed backs off exponentially, with jitter so that many feeds
of one failing host do not retry in lockstep, and a ``Retry-After`` is always honoured.
"""

from __future__ import annotations

import random

WEEK = 7 * 24 * 3600


def next_interval(entries_per_day: float, *, minimum: int, maximum: int) -> int:
    """Seconds until the next check of a healthy feed."""
    weekly = entries_per_day * 7
    if weekly <= 0:
        return maximum
    return max(minimum, min(maximum, int(WEEK / weekly)))


def failure_delay(
    failures: int,
    *,
    minimum: int,
    maximum: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> int:
    """Seconds until a feed that failed ``failures`` times in a row is tried again."""
    base = min(maximum, minimum * 2 ** max(0, failures - 1))
    jittered = base * (rng or random).uniform(0.75, 1.25)
    delay = min(maximum, max(minimum, int(jittered)))
    if retry_after is not None:
        delay = max(delay, int(retry_after))
    return delay
