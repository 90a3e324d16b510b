"""How much each outlet published on a story over time, and the chart of it.

:func:`story_coverage` counts articles per outlet per time bucket: hours when the story's
articles span at most :data:`HOURLY_SPAN` (a breaking story), days otherwise; buckets run
without gaps from the first article to the last, in UTC. Articles without a publication
time are counted apart. :func:`coverage_svg` draws the counts as stacked bars, an inline
SVG with no script and no outside style, its text escaped, titled for screen readers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from storyline.stories.digest_types import DigestArticle, utc

HOURLY_SPAN = timedelta(hours=72)
# Okabe-Ito colours: told apart with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass(frozen=True)
class OutletCoverage:
    """One outlet's article count per bucket, and those without a publication time."""

    outlet: str
    counts: tuple[int, ...]
    undated: int

    @property
    def total(self) -> int:
        return sum(self.counts) + self.undated

    def to_json(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "counts": list(self.counts),
            "undated": self.undated,
            "total": self.total,
        }


@dataclass(frozen=True)
class Coverage:
    """Counts per outlet per bucket; ``buckets`` are the buckets' starts (UTC)."""

    unit: str  # "hour" or "day"
    buckets: tuple[datetime, ...]
    outlets: tuple[OutletCoverage, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "buckets": [bucket.isoformat() for bucket in self.buckets],
            "outlets": [outlet.to_json() for outlet in self.outlets],
        }


def story_coverage(articles: Sequence[DigestArticle]) -> Coverage:
    """Articles per outlet per hour or day (see the module docstring)."""
    times = [utc(a.published_at) for a in articles if a.published_at is not None]
    unit = "hour" if times and max(times) - min(times) <= HOURLY_SPAN else "day"
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    buckets: list[datetime] = []
    if times:
        bucket, last = _bucket(min(times), unit), _bucket(max(times), unit)
        while bucket <= last:
            buckets.append(bucket)
            bucket += step
    index = {bucket: i for i, bucket in enumerate(buckets)}
    counts: dict[str, list[int]] = {}
    undated: Counter[str] = Counter()
    for article in articles:
        row = counts.setdefault(article.outlet, [0] * len(buckets))
        if article.published_at is None:
            undated[article.outlet] += 1
        else:
            row[index[_bucket(utc(article.published_at), unit)]] += 1
    outlets = [OutletCoverage(name, tuple(row), undated[name]) for name, row in counts.items()]
    outlets.sort(key=lambda o: (-o.total, o.outlet))
    return Coverage(unit, tuple(buckets), tuple(outlets))


def _bucket(moment: datetime, unit: str) -> datetime:
    moment = moment.replace(minute=0, second=0, microsecond=0)
    return moment if unit == "hour" else moment.replace(hour=0)


def coverage_svg(coverage: Coverage, chart_id: str = "coverage", width: int = 640) -> str:
    """The coverage as an accessible stacked bar chart: an ``<svg>`` element to inline.

    ``chart_id`` makes the ids of its title and description unique on the page.
    """
    top, bottom, left, legend_row = 12, 28, 32, 18
    rows = (len(coverage.outlets) + 2) // 3
    plot_height = 140
    height = top + plot_height + bottom + rows * legend_row
    slots = max(len(coverage.buckets), 1)
    plot_width = width - left - 8
    slot = plot_width / slots
    totals = [sum(o.counts[i] for o in coverage.outlets) for i in range(len(coverage.buckets))]
    peak = max(totals, default=0) or 1
    ident = escape(chart_id, quote=True)
    label = _summary(coverage)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">Coverage by outlet per {coverage.unit}</title>',
        f'<desc id="{ident}-desc">{escape(label)}</desc>',
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - 8}" '
        f'y2="{top + plot_height}" stroke="#888"/>',
        f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_height}" font-size="10" text-anchor="end">0</text>',
    ]
    for i, bucket in enumerate(coverage.buckets):
        base: float = top + plot_height
        for number, outlet in enumerate(coverage.outlets):
            count = outlet.counts[i]
            if not count:
                continue
            bar = count / peak * plot_height
            base -= bar
            when = _when(bucket, coverage.unit)
            parts.append(
                f'<rect x="{left + i * slot + slot * 0.1:.1f}" y="{base:.1f}" '
                f'width="{slot * 0.8:.1f}" height="{bar:.1f}" '
                f'fill="{PALETTE[number % len(PALETTE)]}">'
                f"<title>{escape(outlet.outlet)}: {count} article{'s' * (count != 1)}, "
                f"{escape(when)}</title></rect>"
            )
    if coverage.buckets:
        axis = top + plot_height + 14
        first, last = coverage.buckets[0], coverage.buckets[-1]
        start_label = escape(_when(first, coverage.unit))
        parts.append(f'<text x="{left}" y="{axis}" font-size="10">{start_label}</text>')
        if last != first:
            parts.append(
                f'<text x="{width - 8}" y="{axis}" font-size="10" text-anchor="end">'
                f"{escape(_when(last, coverage.unit))}</text>"
            )
    for number, outlet in enumerate(coverage.outlets):
        x = left + (number % 3) * (plot_width / 3)
        y = top + plot_height + bottom + (number // 3) * legend_row
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="10" height="10" '
            f'fill="{PALETTE[number % len(PALETTE)]}"/>'
            f'<text x="{x + 14:.1f}" y="{y + 9}" font-size="11">'
            f"{escape(outlet.outlet)} ({outlet.total})</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _when(bucket: datetime, unit: str) -> str:
    return bucket.strftime("%Y-%m-%d %H:00 UTC" if unit == "hour" else "%Y-%m-%d")


def _summary(coverage: Coverage) -> str:
    """The chart in words, for readers who cannot see it."""
    if not coverage.outlets:
        return "No articles."
    each = ", ".join(f"{o.outlet} {o.total}" for o in coverage.outlets)
    if not coverage.buckets:
        return f"Articles per outlet, none with a publication time: {each}."
    first = _when(coverage.buckets[0], coverage.unit)
    last = _when(coverage.buckets[-1], coverage.unit)
    return f"Articles per outlet from {first} to {last}: {each}."
