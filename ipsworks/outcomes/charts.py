"""Server-rendered SVG charts and the datasets behind every chart and table.

A :class:`Dataset` is what a page shows and what every download exports: a title, column
headers and rows, and optionally a :class:`Chart` drawn from the same rows. Charts use
presentation attributes only (the CSP forbids inline styles), carry a <title> and <desc>,
tell series apart by dash pattern and marker shape as well as colour, and are always paired
with a one-sentence summary and a data table on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Each at least 3:1 against white (WCAG 1.4.11): NHS blue, green, purple, red, pink, aqua green,
# grey-3. Series after the seventh repeat colour and dash but get hollow markers.
COLOURS = ["#005eb8", "#007f3b", "#330072", "#d5281b", "#ae2573", "#00a499", "#425563"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "10 4", "1 2", "4 4"]
MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square", "triangle"]

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 170, 48, 80


@dataclass
class Series:
    name: str
    values: list[float | None]
    kind: str = "line"  # "line" or "bar"


@dataclass
class RefLine:
    label: str
    value: float


@dataclass
class Chart:
    title: str
    x_label: str
    y_label: str
    categories: list[str]
    series: list[Series]
    ref_lines: list[RefLine] = field(default_factory=list)
    percent: bool = False

    # --- scales -----------------------------------------------------------------------------

    def _y_max(self) -> float:
        values = [v for s in self.series for v in s.values if v is not None]
        values += [r.value for r in self.ref_lines]
        top = max(values, default=0) or 1
        if self.percent:
            return max(1.0, math.ceil(top * 10) / 10) if top > 1 else 1.0
        magnitude = 10 ** math.floor(math.log10(top))
        for step in (1, 2, 2.5, 5, 10):
            if top <= step * magnitude:
                return step * magnitude
        return 10 * magnitude

    def _fmt(self, value: float) -> str:
        if self.percent:
            return f"{value * 100:.0f}%"
        return f"{value:g}" if value != int(value) else f"{int(value)}"

    def svg(self, element_id: str = "chart") -> str:
        plot_w = WIDTH - LEFT - RIGHT
        plot_h = HEIGHT - TOP - BOTTOM
        y_max = self._y_max()
        n = max(len(self.categories), 1)

        def x(i: float) -> float:
            return LEFT + (i + 0.5) * plot_w / n

        def y(v: float) -> float:
            return TOP + plot_h - (v / y_max) * plot_h

        e = escape
        total_h = HEIGHT + 20 * math.ceil(len(self.series) / 3) + 6
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {total_h}" '
            f'width="{WIDTH}" height="{total_h}" role="img" class="outcomes-chart" '
            f'aria-labelledby="{e(element_id)}-title {e(element_id)}-desc" '
            f'font-family="Arial, Helvetica, sans-serif" font-size="12">',
            f'<title id="{e(element_id)}-title">{e(self.title)}</title>',
            f'<desc id="{e(element_id)}-desc">{e(self.describe())}</desc>',
            f'<rect x="0" y="0" width="{WIDTH}" height="{total_h}" fill="#ffffff"/>',
            f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold" fill="#212b32">'
            f"{e(self.title)}</text>",
        ]
        # grid and y ticks
        for k in range(6):
            v = y_max * k / 5
            yy = y(v)
            out.append(
                f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{LEFT + plot_w}" y2="{yy:.1f}" '
                f'stroke="#d8dde0" stroke-width="1"/>'
            )
            out.append(
                f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#212b32">'
                f"{e(self._fmt(v))}</text>"
            )
        # axes
        out.append(
            f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#212b32"/>'
            f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
            f'stroke="#212b32"/>'
        )
        step = max(1, math.ceil(n / 12))
        slot = plot_w / n * step
        for i, cat in enumerate(self.categories):
            if i % step:
                continue
            lines = _wrap(cat, slot)
            spans = "".join(
                f'<tspan x="{x(i):.1f}" dy="{0 if k == 0 else 14}">{e(line)}</tspan>'
                for k, line in enumerate(lines)
            )
            out.append(
                f'<text x="{x(i):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                f'fill="#212b32">{spans}</text>'
            )
        out.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 22}" text-anchor="middle" '
            f'fill="#212b32">{e(self.x_label)}</text>'
        )
        out.append(
            f'<text x="16" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" fill="#212b32" '
            f'transform="rotate(-90 16 {TOP + plot_h / 2:.1f})">{e(self.y_label)}</text>'
        )
        # bars: the first series solid, the others striped, so they differ by more than colour
        bars = [s for s in self.series if s.kind == "bar"]
        bar_fill: dict[int, str] = {}
        if bars:
            group = plot_w / n * 0.8
            width = group / len(bars)
            for b, s in enumerate(bars):
                idx = self.series.index(s)
                colour = COLOURS[idx % len(COLOURS)]
                bar_fill[idx] = colour
                if b:
                    pattern = f"{e(element_id)}-bars{b}"
                    gap = 4 + 2 * (b % 3)
                    out.append(
                        f'<defs><pattern id="{pattern}" patternUnits="userSpaceOnUse" '
                        f'width="{gap}" height="{gap}" patternTransform="rotate(45)">'
                        f'<rect width="{gap}" height="{gap}" fill="{colour}"/>'
                        f'<line x1="0" y1="0" x2="0" y2="{gap}" stroke="#ffffff" '
                        f'stroke-width="2"/></pattern></defs>'
                    )
                    bar_fill[idx] = f"url(#{pattern})"
                for i, v in enumerate(s.values):
                    if v is None:
                        continue
                    bx = LEFT + i * plot_w / n + plot_w / n * 0.1 + b * width
                    out.append(
                        f'<rect x="{bx:.1f}" y="{y(v):.1f}" width="{width - 2:.1f}" '
                        f'height="{TOP + plot_h - y(v):.1f}" fill="{bar_fill[idx]}" '
                        f'stroke="#212b32" stroke-width="0.5"/>'
                    )
        # lines
        for idx, s in enumerate(self.series):
            if s.kind != "line":
                continue
            colour = COLOURS[idx % len(COLOURS)]
            dash = DASHES[idx % len(DASHES)]
            points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
            if not points:
                continue
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{dash_attr}/>'
            )
            marker_every = max(1, math.ceil(len(points) / 10))
            hollow = (idx // len(COLOURS)) % 2 == 1
            for px, py in points[::marker_every]:
                out.append(_marker(MARKERS[idx % len(MARKERS)], px, py, colour, hollow=hollow))
        # reference lines, labelled on the right (labels pushed apart so they never overlap)
        placed: list[float] = []
        for ref in sorted(self.ref_lines, key=lambda r: -r.value):
            yy = y(ref.value)
            label_y = yy + 4
            if placed and label_y < placed[-1] + 15:
                label_y = placed[-1] + 15
            placed.append(label_y)
            out.append(
                f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{LEFT + plot_w}" y2="{yy:.1f}" '
                f'stroke="#212b32" stroke-width="1.5" stroke-dasharray="3 3"/>'
                f'<text x="{LEFT + plot_w + 6}" y="{label_y:.1f}" fill="#212b32">'
                f"{e(ref.label)}</text>"
            )
        # legend, below the chart: three entries a row
        for idx, s in enumerate(self.series):
            colour = COLOURS[idx % len(COLOURS)]
            lx = LEFT + (idx % 3) * 230
            ly = HEIGHT + 4 + (idx // 3) * 20
            if s.kind == "bar":
                out.append(
                    f'<rect x="{lx}" y="{ly - 9}" width="18" height="10" '
                    f'fill="{bar_fill.get(idx, colour)}" stroke="#212b32" stroke-width="0.5"/>'
                )
            else:
                dash = DASHES[idx % len(DASHES)]
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 18}" y2="{ly - 4}" '
                    f'stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
                )
                hollow = (idx // len(COLOURS)) % 2 == 1
                out.append(
                    _marker(MARKERS[idx % len(MARKERS)], lx + 9, ly - 4, colour, hollow=hollow)
                )
            out.append(f'<text x="{lx + 24}" y="{ly}" fill="#212b32">{e(s.name[:32])}</text>')
        out.append("</svg>")
        return "".join(out)

    def inline(self, element_id: str):
        return mark_safe(self.svg(element_id))  # noqa: S308 - every text value is escaped

    def describe(self) -> str:
        names = ", ".join(s.name for s in self.series)
        span = f"{self.categories[0]} to {self.categories[-1]}" if self.categories else "no data"
        return f"{self.title}: {self.y_label} by {self.x_label.lower()} ({span}) for {names}."


def _wrap(text: str, width: float) -> list[str]:
    """Split a category label over two lines when it is wider than its slot (about 6.5px a
    character at 12px)."""
    if len(text) * 6.5 <= width or " " not in text:
        return [text]
    words = text.split()
    best = min(
        range(1, len(words)),
        key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))),
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def _marker(shape: str, x: float, y: float, colour: str, *, hollow: bool = False) -> str:
    paint = f'fill="#ffffff" stroke="{colour}" stroke-width="2"' if hollow else f'fill="{colour}"'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {paint}/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"'
            f" {paint}/>"
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x + 5:.1f},{y:.1f}" {paint}/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {paint}/>'


@dataclass
class Dataset:
    """A table shown on a page and offered for download (CSV, xlsx; charts also SVG, PNG)."""

    slug: str
    title: str
    headers: list[str]
    rows: list[list]
    summary: str = ""
    chart: Chart | None = None
    percent_columns: tuple[int, ...] = ()  # shown as percentages on the page

    @property
    def formats(self) -> list[str]:
        return ["csv", "xlsx", "svg", "png"] if self.chart else ["csv", "xlsx"]

    @property
    def svg_inline(self):
        return self.chart.inline(self.slug) if self.chart else ""

    def display_rows(self) -> list[list[str]]:
        out = []
        for row in self.rows:
            cells = []
            for i, value in enumerate(row):
                if value is None:
                    cells.append("–")
                elif i in self.percent_columns and isinstance(value, int | float):
                    cells.append(f"{value * 100:.0f}%")
                else:
                    cells.append(str(value))
            out.append(cells)
        return out
