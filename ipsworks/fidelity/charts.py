"""Server-rendered SVG charts (presentation attributes only, so the CSP allows them)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

W, H = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 60
BLUE = "#005eb8"
GREY = "#768692"
DARK = "#212b32"


def _y(value, low, high):
    return TOP + (H - TOP - BOTTOM) * (1 - (value - low) / (high - low))


def _x(index_or_value, low, high, inset=0, right=RIGHT):
    """x position; `inset` keeps points (and their labels) clear of the plot's edges."""
    if high == low:
        return LEFT + (W - LEFT - right) / 2
    span = W - LEFT - right - 2 * inset
    return LEFT + inset + span * (index_or_value - low) / (high - low)


def _frame(
    title: str, x_label: str, y_label: str, body: list[str], summary_id: str, right: int = RIGHT
) -> str:
    parts = [
        f'<svg class="ips-chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'aria-labelledby="{summary_id}-title" aria-describedby="{summary_id}">',
        f'<title id="{summary_id}-title">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - right}" y2="{H - BOTTOM}" stroke="{DARK}"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}" stroke="{DARK}"/>',
        *body,
        f'<text x="{(LEFT + W - right) / 2}" y="{H - 12}" text-anchor="middle">'
        f"{escape(x_label)}</text>",
        f'<text x="16" y="{(TOP + H - BOTTOM) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(TOP + H - BOTTOM) / 2})">{escape(y_label)}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text value is escaped


def _band_lines(bands: list[dict], low: int, high: int, right: int) -> list[str]:
    """Dashed lines where each band starts, labelled in the margin right of the plot."""
    out = []
    for band in bands:
        if low < band["min"] <= high:
            y = _y(band["min"], low, high)
            out.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - right}" y2="{y:.1f}" stroke="{GREY}" '
                f'stroke-dasharray="4 4"/>'
                f'<text x="{W - right + 6}" y="{y + 5:.1f}" text-anchor="start">'
                f"{escape(band['label'])} from {band['min']}</text>"
            )
    return out


def trend_chart(points: list[tuple[str, int]], bands: list[dict], max_total: int, summary_id: str):
    """Total score per review over time; dashed lines mark where each band starts."""
    low = 25 if max_total == 125 else 0
    right = 200
    body = _band_lines(bands, low, max_total, right)
    for tick in range(low, max_total + 1, 25):
        y = _y(tick, low, max_total)
        body.append(f'<text x="{LEFT - 8}" y="{y + 5:.1f}" text-anchor="end">{tick}</text>')
    coords = []
    n = len(points)
    for i, (label, total) in enumerate(points):
        x = _x(i, 0, max(n - 1, 1), 50, right) if n > 1 else _x(0, 0, 0, 0, right)
        y = _y(total, low, max_total)
        coords.append((x, y))
        body.append(
            f'<text x="{x:.1f}" y="{H - BOTTOM + 20}" text-anchor="middle">{escape(label)}</text>'
        )
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="3"/>')
    for (x, y), (label, total) in zip(coords, points, strict=True):
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{BLUE}"><title>{escape(label)}: '
            f"{total}</title></circle>"
            f'<text x="{x:.1f}" y="{y - 12:.1f}" text-anchor="middle">{total}</text>'
        )
    return _frame("Fidelity total at each review", "Review", "Total score", body, summary_id, right)


def scatter_chart(points: list[dict], max_total: int, summary_id: str):
    """Fidelity total (x) against job outcome rate in % (y). Points carry a number ("key")
    that the data table beside the chart repeats, so close points stay readable."""
    totals = [p["total"] for p in points]
    low = max(25 if max_total == 125 else 0, (min(totals, default=25) // 25) * 25)
    top = max([50.0] + [p["rate"] for p in points if p["rate"] is not None])
    top = (int(top) // 10 + 1) * 10
    body = []
    for tick in range(low, max_total + 1, 5 if max_total - low <= 50 else 25):
        x = _x(tick, low, max_total, 20)
        body.append(f'<text x="{x:.1f}" y="{H - BOTTOM + 20}" text-anchor="middle">{tick}</text>')
    for tick in range(0, top + 1, 10):
        y = _y(tick, 0, top)
        body.append(f'<text x="{LEFT - 8}" y="{y + 5:.1f}" text-anchor="end">{tick}%</text>')
    for p in points:
        if p["rate"] is None:
            continue
        x, y = _x(p["total"], low, max_total, 20), _y(p["rate"], 0, top)
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="#ffffff" stroke="{BLUE}" '
            f'stroke-width="3"><title>'
            f"{escape(p['label'])}: {p['total']}, {p['rate']:.0f}%</title></circle>"
            f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle">'
            f"{p['key']}</text>"
        )
    return _frame(
        "Fidelity total against job outcome rate, by site",
        "Latest fidelity total (out of " + str(max_total) + ")",
        "Job outcome rate",
        body,
        summary_id,
    )
