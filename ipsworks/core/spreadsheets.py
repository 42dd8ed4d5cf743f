"""Helpers for every spreadsheet and CSV download.

Text that people typed (employer names, quotes, rationales) can start with a character a
spreadsheet program reads as the start of a formula ("=HYPERLINK(...)"). Every exported cell goes
through :func:`safe_cell`, which makes such text inert by prefixing an apostrophe, the usual
spreadsheet marker for "this is text".
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write into a spreadsheet or CSV cell; formula-like text is made inert.

    Numbers, dates and other non-text values pass through unchanged (so "-3" typed as a number
    stays a number; only text that starts with a formula character is prefixed)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values):
    return [safe_cell(v) for v in values]
