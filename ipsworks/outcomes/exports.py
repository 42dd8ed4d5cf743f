"""Downloads of a :class:`~ipsworks.outcomes.charts.Dataset`: CSV, xlsx, SVG and PNG.

PNG is rendered from the same SVG by resvg-py (a self-contained Rust wheel: no Cairo or other
system libraries to install).
"""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpResponse

from ipsworks.core.spreadsheets import safe_cell

from .charts import Dataset

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
    "png": "image/png",
}


def _plain(value):
    """A cell's value: blank for None, formula-like text made inert (``safe_cell``)."""
    return "" if value is None else safe_cell(value)


def to_csv(ds: Dataset) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_plain(v) for v in ds.headers])
    for row in ds.rows:
        writer.writerow([_plain(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(ds: Dataset) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = ds.slug[:31]
    ws.append([_plain(ds.title)])
    ws["A1"].font = Font(bold=True)
    ws.append([_plain(v) for v in ds.headers])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in ds.rows:
        ws.append([_plain(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_svg(ds: Dataset) -> bytes:
    if ds.chart is None:
        raise Http404("This table has no chart")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ds.chart.svg(ds.slug)).encode("utf-8")


def to_png(ds: Dataset) -> bytes:
    import resvg_py

    if ds.chart is None:
        raise Http404("This table has no chart")
    return bytes(resvg_py.svg_to_bytes(svg_string=ds.chart.svg(ds.slug), zoom=2))


def download(ds: Dataset, fmt: str, filename: str) -> HttpResponse:
    makers = {"csv": to_csv, "xlsx": to_xlsx, "svg": to_svg, "png": to_png}
    if fmt not in makers or fmt not in ds.formats:
        raise Http404("No such format")
    response = HttpResponse(makers[fmt](ds), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
