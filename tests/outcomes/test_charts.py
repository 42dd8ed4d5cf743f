"""Charts tell series apart by more than colour, and every series colour stands out on white."""

import re

from ipsworks.outcomes.charts import COLOURS, Chart, Dataset, Series
from ipsworks.outcomes.exports import to_png


def contrast_with_white(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_every_series_colour_has_3_to_1_contrast_against_white():
    assert all(contrast_with_white(c) >= 3 for c in COLOURS), [
        (c, round(contrast_with_white(c), 2)) for c in COLOURS
    ]
    assert len(set(COLOURS)) == len(COLOURS)


def bar_chart() -> Chart:
    return Chart(
        title="Rates",
        x_label="Site",
        y_label="Rate",
        categories=["A", "B"],
        series=[Series("Quarterly", [0.3, 0.4], "bar"), Series("Out of work", [0.2, 0.5], "bar")],
        percent=True,
    )


def test_a_second_bar_series_is_striped_in_the_bars_and_the_legend():
    svg = bar_chart().svg("rates")
    solid = re.findall(rf'<rect [^>]*fill="{COLOURS[0]}" stroke="#212b32"', svg)
    striped = re.findall(r'<rect [^>]*fill="url\(#rates-bars1\)"', svg)
    assert len(solid) == 3 and len(striped) == 3  # two bars and a legend swatch each
    assert '<pattern id="rates-bars1"' in svg


def test_line_series_after_the_seventh_get_hollow_markers():
    chart = Chart(
        title="Job starts",
        x_label="Month",
        y_label="Job starts",
        categories=["Jan", "Feb"],
        series=[Series(f"Site {n}", [n, n + 1]) for n in range(8)],
    )
    svg = chart.svg("sites")
    first, eighth = COLOURS[0], COLOURS[0]  # the eighth series repeats the first colour
    assert re.search(rf'<circle [^>]*fill="{first}"/>', svg)
    assert re.search(rf'<circle [^>]*fill="#ffffff" stroke="{eighth}" stroke-width="2"/>', svg)


def test_a_striped_chart_still_renders_as_png():
    dataset = Dataset(slug="rates", title="Rates", headers=["Site"], rows=[], chart=bar_chart())
    assert to_png(dataset).startswith(b"\x89PNG")
