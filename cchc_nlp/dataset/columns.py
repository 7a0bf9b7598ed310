"""Python values -> Arrow arrays, built from their buffers, without pandas.

pyarrow's own converter (`pa.array`, `pa.Table.from_pylist`) imports pandas on its first
call, to ask whether the values are a pandas object: 0.2 s of a run's start-up and of each
worker's first table, for tables that never see pandas. The tables' column types (string,
binary, int64, float64, bool, date32 and lists of these) are laid out here as Arrow lays
them out: a validity bitmap, then offsets and bytes or fixed-width values. The arrays are
equal to pyarrow's conversion of the same values (tests/test_columns.py), and on the
pipeline's rows about three times faster. Any other type, or a string column over 2 GB,
goes through `pa.array`.

>>> table_from_rows([{"name": "Sóc Trăng", "n": 3}, {"n": None}], pa.schema([("name", pa.string()), ("n", pa.int64())]))
pyarrow.Table
name: string
n: int64
----
name: [["Sóc Trăng",null]]
n: [[3,null]]
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from typing import Any

import pyarrow as pa

__all__ = ["column", "table_from_rows"]

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_MAX_OFFSET = 2**31 - 1  # string and binary offsets are int32
_FIXED_WIDTH = {pa.int64(): ("q", 0), pa.float64(): ("d", 0.0)}


def _bitmap(flags: Iterable[bool], length: int) -> pa.Buffer:
    """Arrow's bit layout: value i is bit i % 8 of byte i // 8."""
    bits = "".join("1" if flag else "0" for flag in flags)[::-1]
    return pa.py_buffer(int(bits or "0", 2).to_bytes((length + 7) // 8, "little"))


def _booleans(values: Sequence[Any]) -> list[bool]:
    for value in values:
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{value!r} is not true/false")
    return [value is True for value in values]


def column(values: Sequence[Any], dtype: pa.DataType) -> pa.Array:
    """An Arrow array of `dtype` holding `values` (None is null), as `pa.array(values, dtype)`."""
    length = len(values)
    nulls = sum(1 for value in values if value is None)
    validity = _bitmap((value is not None for value in values), length) if nulls else None
    if dtype in _FIXED_WIDTH:
        code, zero = _FIXED_WIDTH[dtype]
        data = array(code, [zero if value is None else value for value in values])
        return pa.Array.from_buffers(dtype, length, [validity, pa.py_buffer(data)], nulls)
    if dtype == pa.bool_():
        return pa.Array.from_buffers(dtype, length, [validity, _bitmap(_booleans(values), length)], nulls)
    if dtype == pa.date32():
        days = array("i", [0 if value is None else value.toordinal() - _EPOCH_ORDINAL for value in values])
        return pa.Array.from_buffers(dtype, length, [validity, pa.py_buffer(days)], nulls)
    if dtype in (pa.string(), pa.binary()):
        if dtype == pa.string():
            encoded = [b"" if value is None else value.encode() for value in values]
        else:
            encoded = [b"" if value is None else bytes(value) for value in values]
        offsets = array("i", accumulate(map(len, encoded), initial=0))
        if offsets[-1] <= _MAX_OFFSET:
            buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
            return pa.Array.from_buffers(dtype, length, buffers, nulls)
    elif pa.types.is_list(dtype):
        items = [item for value in values if value is not None for item in value]
        child = column(items, dtype.value_type)
        offsets = array("i", accumulate((0 if value is None else len(value) for value in values), initial=0))
        if isinstance(child, pa.Array) and offsets[-1] <= _MAX_OFFSET:
            return pa.Array.from_buffers(dtype, length, [validity, pa.py_buffer(offsets)], nulls, children=[child])
    return pa.array(values, dtype)  # another type, or over 2 GB: pyarrow's converter


def table_from_rows(rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (dicts; a missing key is null) -> a table of `schema`, as `pa.Table.from_pylist`."""
    arrays = [column([row.get(field.name) for row in rows], field.type) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
