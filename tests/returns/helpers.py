"""Writing return files in every accepted format, for the tests."""

from datetime import date, datetime
from pathlib import Path

from ipsworks.returns.selectors import export_rows
from ipsworks.returns.workbook import write_csv_files, write_xlsx


def export(user, site, month, folder: Path, fmt: str) -> list[Path]:
    """Export `site` for `month` and convert to `fmt` (xlsx, csv, ods, xls)."""
    caseload, jobs, _ = export_rows(user, site, month, today=date(2026, 11, 30))
    if fmt == "csv":
        return write_csv_files(folder, caseload, jobs)
    xlsx = folder / "return.xlsx"
    write_xlsx(xlsx, caseload, jobs)
    if fmt == "xlsx":
        return [xlsx]
    sheets = read_sheets(xlsx)
    target = folder / f"return.{fmt}"
    (write_ods if fmt == "ods" else write_xls)(target, sheets)
    return [target]


def read_sheets(path: Path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {
        name: [list(r) for r in wb.get_sheet_by_name(name).iter_rows()]
        for name in wb.sheet_names
        if name in ("Caseload", "Jobs")
    }


def write_xlsx_rows(path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    import xlwt

    book = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date | datetime):
                    ws.write(r, c, value, date_style)
                elif value not in (None, ""):
                    ws.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                if isinstance(value, date | datetime):
                    cell = TableCell(valuetype="date", datevalue=value.strftime("%Y-%m-%d"))
                    cell.addElement(P(text=value.strftime("%d/%m/%Y")))
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                elif value in (None, ""):
                    cell = TableCell()
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path
