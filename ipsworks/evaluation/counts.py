"""Interview counts in the wide layout of the seed's Table 2, and checking their totals.

Layout (one row per site, header row first):
  site, visit1_staff, visit1_service_users, visit2_staff, visit2_service_users,
  visit3_staff, visit3_service_users, total_staff, total_service_users

A row is *flagged* when a total disagrees with the sum of its per-visit figures.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ipsworks.core.spreadsheets import csv_rows, safe_cell, unguarded

VISITS = (1, 2, 3)
COLUMNS = (
    ["site"]
    + [f"visit{n}_{kind}" for n in VISITS for kind in ("staff", "service_users")]
    + ["total_staff", "total_service_users"]
)
NUMBER_COLUMNS = COLUMNS[1:]


class CountsFileError(ValueError):
    """The file cannot be read as interview counts; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class CountsRow:
    line: int  # line number in the file (the header is line 1)
    site: str
    staff: dict[int, int]  # visit number -> staff interviewed
    service_users: dict[int, int]
    total_staff: int
    total_service_users: int
    problems: list[str] = field(default_factory=list)

    @property
    def staff_sum(self) -> int:
        return sum(self.staff.values())

    @property
    def service_users_sum(self) -> int:
        return sum(self.service_users.values())

    @property
    def flagged(self) -> bool:
        return bool(self.problems)


def _check(row: CountsRow) -> None:
    if row.staff_sum != row.total_staff:
        row.problems.append(
            f"staff: visits sum to {row.staff_sum} but total_staff says {row.total_staff}"
        )
    if row.service_users_sum != row.total_service_users:
        row.problems.append(
            f"service users: visits sum to {row.service_users_sum} but total_service_users "
            f"says {row.total_service_users}"
        )


def parse_counts(text: str) -> list[CountsRow]:
    """Read the wide-layout CSV. Raises CountsFileError naming each bad row and column."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CountsFileError(["the file is empty: expected a header row and one row per site"])
    try:
        reader = iter(csv_rows(text))
    except ValueError as exc:
        raise CountsFileError([str(exc)]) from None
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CountsFileError([f"the header row is missing the column(s): {', '.join(missing)}"])
    index = {name: header.index(name) for name in COLUMNS}
    rows: list[CountsRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        site = unguarded(cells[index["site"]].strip()) if index["site"] < len(cells) else ""
        where = f"row {line}" + (f" ({site})" if site else "")
        if not site:
            problems.append(f"{where}, column site: the site name is blank")
        elif site.lower() in seen:
            problems.append(
                f"{where}, column site: {site} already appears on row {seen[site.lower()]}"
            )
        else:
            seen[site.lower()] = line
        values: dict[str, int] = {}
        for name in NUMBER_COLUMNS:
            raw = cells[index[name]].strip() if index[name] < len(cells) else ""
            if raw == "":
                problems.append(f"{where}, column {name}: the value is blank")
                continue
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"{where}, column {name}: {raw!r} is not a whole number")
                continue
            if value < 0:
                problems.append(f"{where}, column {name}: {value} is negative")
                continue
            values[name] = value
        if len(values) != len(NUMBER_COLUMNS) or not site:
            continue
        row = CountsRow(
            line=line,
            site=site,
            staff={n: values[f"visit{n}_staff"] for n in VISITS},
            service_users={n: values[f"visit{n}_service_users"] for n in VISITS},
            total_staff=values["total_staff"],
            total_service_users=values["total_service_users"],
        )
        _check(row)
        rows.append(row)
    if problems:
        raise CountsFileError(problems)
    if not rows:
        raise CountsFileError(["the file has a header row but no rows of counts"])
    return rows


def flagged_rows(rows: list[CountsRow]) -> list[CountsRow]:
    return [r for r in rows if r.flagged]


def to_csv(rows: list[dict]) -> str:
    """Write rows (dicts keyed by COLUMNS) in the wide layout."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: safe_cell(row[c]) for c in COLUMNS})
    return out.getvalue()
