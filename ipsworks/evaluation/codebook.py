"""The default codebook and the codebook's CSV layout (name, parent, description, order)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ipsworks.core.spreadsheets import csv_rows, safe_row, unguarded

CODEBOOK_COLUMNS = ["name", "parent", "description", "order"]
MAX_ORDER = 999  # as on the theme form

# The seed's four themes, described in our own words, with a few sub-themes each.
DEFAULT_CODEBOOK: list[tuple[str, str, str]] = [
    (
        "Benefits of IPS",
        "",
        "What people said the service changed: for those who found work, for their confidence "
        "and everyday life, and for the clinical teams around them.",
    ),
    ("Work and income", "Benefits of IPS", "Getting, keeping or returning to paid work."),
    (
        "Confidence and wellbeing",
        "Benefits of IPS",
        "Changes in self-belief, routine, health or hope that people linked to the support.",
    ),
    (
        "Staff morale",
        "Benefits of IPS",
        "Effects on clinicians' outlook and on how teams talk about work and recovery.",
    ),
    (
        "Implementation challenges and opportunities",
        "",
        "What helped or held back setting the service up and running it day to day.",
    ),
    (
        "Recruitment and start-up",
        "Implementation challenges and opportunities",
        "Hiring employment specialists, early systems and the first months of the service.",
    ),
    (
        "Referrals and clinical teams",
        "Implementation challenges and opportunities",
        "How people reached the service and how specialists fitted into mental health teams.",
    ),
    (
        "Supervision and training",
        "Implementation challenges and opportunities",
        "Management, supervision, learning and sharing practice.",
    ),
    (
        "Organisational factors",
        "",
        "How the host organisation's leaders, plans and partners shaped the service.",
    ),
    (
        "Leadership and strategy",
        "Organisational factors",
        "Senior sponsors, board attention and links to wider plans.",
    ),
    (
        "Partnerships",
        "Organisational factors",
        "Work with voluntary groups, councils, employers and employment agencies.",
    ),
    (
        "Sustainability",
        "",
        "Whether and how the service could carry on once the start-up money ran out.",
    ),
    (
        "Funding and commissioning",
        "Sustainability",
        "Who pays after the grant, and how those decisions were made.",
    ),
    (
        "Evidence of outcomes",
        "Sustainability",
        "Using results and stories to argue for keeping the service.",
    ),
]


class CodebookFileError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class CodebookRow:
    line: int
    name: str
    parent: str
    description: str
    order: int


def parse_codebook(text: str) -> list[CodebookRow]:
    """Read a codebook CSV; raises CodebookFileError naming each bad row and column."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CodebookFileError(["the file is empty: expected a header row and one row per theme"])
    try:
        reader = iter(csv_rows(text))
    except ValueError as exc:
        raise CodebookFileError([str(exc)]) from None
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in ("name", "parent", "description") if c not in header]
    if missing:
        raise CodebookFileError([f"the header row is missing the column(s): {', '.join(missing)}"])
    idx = {c: header.index(c) for c in CODEBOOK_COLUMNS if c in header}

    def cell(cells, name):
        i = idx.get(name)
        return unguarded(cells[i].strip()) if i is not None and i < len(cells) else ""

    rows: list[CodebookRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        name = cell(cells, "name")
        if not name:
            problems.append(f"row {line}, column name: the theme name is blank")
            continue
        if len(name) > 120:
            problems.append(f"row {line}, column name: longer than 120 characters")
            continue
        if name.lower() in seen:
            problems.append(
                f"row {line}, column name: {name!r} already appears on row {seen[name.lower()]}"
            )
            continue
        seen[name.lower()] = line
        raw_order = cell(cells, "order")
        order = 0
        if raw_order:
            try:
                order = int(raw_order)
                if not 0 <= order <= MAX_ORDER:
                    raise ValueError
            except ValueError:
                problems.append(
                    f"row {line}, column order: {raw_order[:20]!r} is not a whole number "
                    f"from 0 to {MAX_ORDER}"
                )
                continue
        parent = cell(cells, "parent")
        if parent.lower() == name.lower():
            problems.append(f"row {line}, column parent: a theme cannot be its own parent")
            continue
        rows.append(CodebookRow(line, name, parent, cell(cells, "description"), order))
    if problems:
        raise CodebookFileError(problems)
    if not rows:
        raise CodebookFileError(["the file has a header row but no themes"])
    return rows


def codebook_csv(nodes) -> str:
    """Write theme nodes (from selectors.theme_tree, parents first) as codebook CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CODEBOOK_COLUMNS)
    for node in nodes:
        t = node.theme
        writer.writerow(
            safe_row([t.name, t.parent.name if t.parent_id else "", t.description, t.order])
        )
    return out.getvalue()
