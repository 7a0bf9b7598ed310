"""cchc_nlp.dataset.columns: Arrow arrays built from buffers equal pyarrow's own conversion."""

import datetime as dt
import subprocess
import sys

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_nlp.dataset.columns import column, table_from_rows
from cchc_nlp.dataset.tables import PART_SCHEMAS

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
VALUES = {
    pa.string(): TEXT,
    pa.binary(): st.binary(max_size=12),
    pa.int64(): st.integers(min_value=-(2**63), max_value=2**63 - 1),
    pa.float64(): st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(2**53), 2**53),
    pa.bool_(): st.booleans(),
    pa.date32(): st.dates(min_value=dt.date(1, 1, 1)),
    pa.list_(pa.string()): st.lists(st.none() | TEXT, max_size=4),
}


def _same(ours: pa.Array, theirs: pa.Array) -> None:
    ours.validate(full=True)
    assert ours.type == theirs.type
    assert ours.null_count == theirs.null_count
    # NaN != NaN for `equals`: compare the Python values, NaN as a string
    as_py = [repr(v) if isinstance(v, float) else v for v in ours.to_pylist()]
    assert as_py == [repr(v) if isinstance(v, float) else v for v in theirs.to_pylist()]


@pytest.mark.parametrize("dtype", list(VALUES), ids=str)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_column_equals_pyarrow_conversion(dtype, data):
    values = data.draw(st.lists(st.none() | VALUES[dtype], max_size=40))
    ours = column(values, dtype)
    _same(ours, pa.array(values, dtype))
    if not any(isinstance(v, float) and v != v for v in values):
        assert ours.equals(pa.array(values, dtype))


@pytest.mark.parametrize("table", sorted(PART_SCHEMAS))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_rows_give_the_table_pyarrow_gives(table, data):
    schema = PART_SCHEMAS[table]
    row = st.fixed_dictionaries(
        {}, optional={field.name: st.none() | VALUES[field.type] for field in schema if field.type in VALUES}
    )
    rows = data.draw(st.lists(row, max_size=8))
    ours = table_from_rows(rows, schema)
    theirs = pa.Table.from_pylist(rows, schema=schema)
    assert ours.schema == theirs.schema and ours.num_rows == theirs.num_rows
    for name in schema.names:
        _same(ours.column(name).combine_chunks(), theirs.column(name).combine_chunks())


def test_wrong_values_raise():
    with pytest.raises(TypeError):
        column([1], pa.bool_())
    with pytest.raises(TypeError):
        column([1.5], pa.int64())
    with pytest.raises(AttributeError):
        column([3], pa.string())
    with pytest.raises(OverflowError):
        column([2**63], pa.int64())


def test_other_types_go_through_pyarrow():
    assert column([1, None], pa.int32()).equals(pa.array([1, None], pa.int32()))
    assert column([], pa.string()).equals(pa.array([], pa.string()))


def test_no_pandas():
    code = (
        "import sys, datetime\n"
        "from cchc_nlp.dataset.columns import table_from_rows\n"
        "from cchc_nlp.dataset.tables import PART_SCHEMAS\n"
        "table_from_rows([{'doc_id': 'a', 'start': 1, 'titles': ['x'], 'period_start': datetime.date(2020, 1, 1)}],"
        " PART_SCHEMAS['entities'])\n"
        "print('pandas' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == (
        "False"
    )
