"""Reading and checking a fidelity scale file (JSON). Pure functions: no database.

A scale file describes one version of the scale: its sections, items, anchors 1-5, data sources,
optional measures (a figure from the records with cut-offs mapping it to a suggested score) and
the scoring bands. :func:`parse_scale` returns the checked data or raises :class:`ScaleError`
listing every problem with where it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT = "ipsworks-fidelity-scale/1"
DEFAULT_SCALE_FILE = Path(__file__).resolve().parent / "data" / "ips25_v1.json"


class ScaleError(ValueError):
    """The scale file is not usable; ``problems`` lists each problem in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


# Scores the review tables can hold (their database constraints allow 1 to 5).
LOWEST_SCORE, HIGHEST_SCORE = 1, 5
# Longest text the scale's database columns hold: code, version and keys 40; titles 200.
TEXT_LIMITS = {"code": 40, "version": 40, "key": 40, "title": 200, "label": 200}


def _need(obj: dict, key: str, kind, where: str, problems: list[str]):
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None or (kind is str and not str(value).strip()):
        problems.append(f"{where}: '{key}' is missing")
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        problems.append(f"{where}: '{key}' should be {kind.__name__}")
        return None
    if kind is str and key in TEXT_LIMITS and len(value) > TEXT_LIMITS[key]:
        problems.append(f"{where}: '{key}' is longer than {TEXT_LIMITS[key]} characters")
        return None
    return value


def _nul_paths(value: Any, where: str) -> list[str]:
    """Where text holds a NUL character (no database text column can store one)."""
    if isinstance(value, str):
        return [where] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nul_paths(v, f"{where} > {k}")]
    if isinstance(value, list):
        return [p for n, v in enumerate(value, 1) for p in _nul_paths(v, f"{where} > {n}")]
    return []


def _check_measure(measure: Any, where: str, low: int, high: int, problems: list[str]) -> None:
    if measure is None:
        return
    if not isinstance(measure, dict):
        problems.append(f"{where}: 'measure' should be an object or null")
        return
    _need(measure, "key", str, f"{where} measure", problems)
    _need(measure, "label", str, f"{where} measure", problems)
    direction = measure.get("direction")
    if direction not in {"higher", "lower"}:
        problems.append(f"{where} measure: 'direction' should be 'higher' or 'lower'")
    cutoffs = measure.get("cutoffs")
    if not isinstance(cutoffs, list) or not cutoffs:
        problems.append(f"{where} measure: 'cutoffs' should be a non-empty list")
        return
    previous = None
    for n, cut in enumerate(cutoffs, start=1):
        cw = f"{where} measure cut-off {n}"
        score = _need(cut, "score", int, cw, problems)
        limit = cut.get("limit") if isinstance(cut, dict) else None
        if not isinstance(limit, int | float) or isinstance(limit, bool):
            problems.append(f"{cw}: 'limit' should be a number")
            continue
        if score is not None and not low <= score <= high:
            problems.append(f"{cw}: score {score} is outside {low}-{high}")
        if previous is not None:
            if direction == "higher" and limit >= previous:
                problems.append(f"{cw}: limits should fall from the best score down")
            if direction == "lower" and limit <= previous:
                problems.append(f"{cw}: limits should rise from the best score down")
        previous = limit
    otherwise = measure.get("otherwise")
    if otherwise is not None and (not isinstance(otherwise, int) or not low <= otherwise <= high):
        problems.append(f"{where} measure: 'otherwise' should be a score {low}-{high} or null")
    min_count = measure.get("min_count")
    if min_count is not None and (not isinstance(min_count, int) or min_count < 0):
        problems.append(f"{where} measure: 'min_count' should be a whole number")


def parse_scale(data: Any) -> dict:
    """Check a scale definition (already decoded from JSON); return it or raise ScaleError."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ScaleError(["The file should hold one JSON object describing the scale"])
    if data.get("format") != FORMAT:
        problems.append(f"'format' should be \"{FORMAT}\"")
    for key in ("code", "version", "title"):
        _need(data, key, str, "Scale", problems)
    nul = _nul_paths(data, "Scale")
    if nul:
        raise ScaleError([f"{where}: the text holds a NUL character" for where in nul[:20]])
    low = data.get("min_score", LOWEST_SCORE)
    high = data.get("max_score", HIGHEST_SCORE)
    if (
        not isinstance(low, int)
        or not isinstance(high, int)
        or isinstance(low, bool)
        or isinstance(high, bool)
        or not LOWEST_SCORE <= low < high <= HIGHEST_SCORE
    ):
        problems.append(
            f"'min_score' and 'max_score' should be whole numbers from {LOWEST_SCORE} to "
            f"{HIGHEST_SCORE}, min below max"
        )
        low, high = LOWEST_SCORE, HIGHEST_SCORE
    numbers: list[int] = []
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.append("'sections' should be a non-empty list")
        sections = []
    section_keys = set()
    for s_index, section in enumerate(sections, start=1):
        where = f"Section {s_index}"
        key = _need(section, "key", str, where, problems)
        if key in section_keys:
            problems.append(f"{where}: key '{key}' is used twice")
        section_keys.add(key)
        _need(section, "title", str, where, problems)
        items = section.get("items") if isinstance(section, dict) else None
        if not isinstance(items, list) or not items:
            problems.append(f"{where}: 'items' should be a non-empty list")
            continue
        for i_index, item in enumerate(items, start=1):
            iw = f"{where} item {i_index}"
            number = _need(item, "number", int, iw, problems)
            if number is not None:
                iw = f"Item {number}"
                if number in numbers:
                    problems.append(f"{iw}: the number is used twice")
                numbers.append(number)
            _need(item, "title", str, iw, problems)
            anchors = item.get("anchors") if isinstance(item, dict) else None
            if not isinstance(anchors, dict):
                problems.append(f"{iw}: 'anchors' should map each score to its description")
            else:
                for score in range(low, high + 1):
                    text = anchors.get(str(score))
                    if not isinstance(text, str) or not text.strip():
                        problems.append(f"{iw}: the anchor for score {score} is missing")
                extra = set(anchors) - {str(s) for s in range(low, high + 1)}
                if extra:
                    problems.append(f"{iw}: anchors for unknown scores {sorted(extra)}")
            sources = item.get("data_sources", []) if isinstance(item, dict) else []
            if not isinstance(sources, list) or not all(isinstance(x, str) for x in sources):
                problems.append(f"{iw}: 'data_sources' should be a list of text")
            _check_measure(
                item.get("measure") if isinstance(item, dict) else None, iw, low, high, problems
            )
    if numbers and sorted(numbers) != list(range(1, len(numbers) + 1)):
        problems.append(f"Items should be numbered 1 to {len(numbers)} without gaps")
    bands = data.get("bands")
    if not isinstance(bands, list) or not bands:
        problems.append("'bands' should be a non-empty list")
    else:
        lowest, highest = low * len(numbers), high * len(numbers)
        covered: list[tuple[int, int]] = []
        for b_index, band in enumerate(bands, start=1):
            bw = f"Band {b_index}"
            _need(band, "key", str, bw, problems)
            _need(band, "label", str, bw, problems)
            bmin = _need(band, "min", int, bw, problems)
            bmax = _need(band, "max", int, bw, problems)
            if bmin is not None and bmax is not None:
                if bmin > bmax:
                    problems.append(f"{bw}: 'min' is above 'max'")
                covered.append((bmin, bmax))
        if numbers and len(covered) == len(bands):
            totals = list(range(lowest, highest + 1))
            gaps = [t for t in totals if not any(a <= t <= b for a, b in covered)]
            overlaps = [t for t in totals if sum(a <= t <= b for a, b in covered) > 1]
            if gaps:
                problems.append(f"Bands leave totals without a band: {gaps[0]} to {gaps[-1]}")
            if overlaps:
                problems.append(f"Bands overlap at totals {overlaps[0]} to {overlaps[-1]}")
    if problems:
        raise ScaleError(problems)
    return data


def read_scale_file(path: str | Path) -> dict:
    """Read and check a scale file; ScaleError for an unreadable or invalid file. Read as
    bytes, so that a file is judged exactly as the same file uploaded on the page."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ScaleError([f"Cannot read {path}: {exc.strerror or exc}"]) from None
    return parse_scale_text(data)


def _not_json_number(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse_scale_text(text: str | bytes) -> dict:
    try:
        data = json.loads(text, parse_constant=_not_json_number)
    except json.JSONDecodeError as exc:
        raise ScaleError(
            [f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"]
        ) from None
    except UnicodeDecodeError:
        raise ScaleError(["The file is not valid JSON: it is not UTF-8 text"]) from None
    except ValueError as exc:  # NaN, Infinity (refused above)
        raise ScaleError([f"The file is not valid JSON: {exc}"]) from None
    except RecursionError:
        raise ScaleError(["The file is not valid JSON: it is nested too deeply"]) from None
    return parse_scale(data)


def iter_items(data: dict):
    """(section_index, section, item) for every item, in file order."""
    for s_index, section in enumerate(data["sections"]):
        for item in section["items"]:
            yield s_index, section, item
