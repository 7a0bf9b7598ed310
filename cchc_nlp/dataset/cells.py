"""CSV cells that a spreadsheet would run as formulas, neutralised (and restored on reading).

A crawled title, author, URL or text can begin with ``=``, ``+``, ``-`` or ``@``
(``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``): a spreadsheet opening the CSV file runs it.
As OWASP recommends, every string cell that begins with one of those, or with a tab or a
carriage return, is written with a ``'`` in front, which spreadsheets show as text. Cells
that already begin with quotes followed by such a character get one more quote, so the
change can be undone exactly: `restore_formulas` removes one leading quote from cells
that begin with quotes and a formula character. Numeric, date and boolean columns are
never touched (-5 in a number column is a number), nor are Parquet and JSON Lines files.

>>> import pyarrow as pa
>>> data = pa.table({"title": ["=1+1", "'=x", "-5 hồ sơ", "ok", None], "value": [-5.0, 1.0, 2.0, 3.0, 4.0]})
>>> neutralize_formulas(data)["title"].to_pylist()
["'=1+1", "''=x", "'-5 hồ sơ", 'ok', None]
>>> restore_formulas(neutralize_formulas(data)).equals(data)
True
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["FORMULA_CHARACTERS", "neutralize_formulas", "restore_formulas"]

FORMULA_CHARACTERS = "=+-@\t\r"
_CLASS = "[=+\\-@\\t\\r]"
_NEEDS_QUOTE = f"^'*{_CLASS}"  # what gets a quote in front
_QUOTED = f"^'+{_CLASS}"  # what had one added


def _string_columns(data: pa.Table) -> list[int]:
    return [i for i, field in enumerate(data.schema) if pa.types.is_string(field.type)]


def neutralize_formulas(data: pa.Table) -> pa.Table:
    """`data` with a ``'`` in front of every string cell a spreadsheet would run as a formula."""
    import pyarrow.compute as pc  # Arrow's compute functions (0.05 s to load) only for CSV files

    for i in _string_columns(data):
        column = data.column(i)
        risky = pc.match_substring_regex(column, _NEEDS_QUOTE)
        if pc.any(risky).as_py():
            quoted = pc.binary_join_element_wise("'", column, "")
            data = data.set_column(i, data.schema.field(i), pc.if_else(risky, quoted, column))
    return data


def restore_formulas(data: pa.Table) -> pa.Table:
    """Undo `neutralize_formulas`: the exact values of a CSV file written with it."""
    import pyarrow.compute as pc  # only for CSV files, as above

    for i in _string_columns(data):
        column = data.column(i)
        quoted = pc.match_substring_regex(column, _QUOTED)
        if pc.any(quoted).as_py():
            data = data.set_column(
                i, data.schema.field(i), pc.if_else(quoted, pc.utf8_slice_codeunits(column, 1), column)
            )
    return data
