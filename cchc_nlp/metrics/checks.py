"""Consistency checks on metric records: warnings, never corrections.

Sources are sometimes wrong (docs/domain.md §1.2): "1132/1937 thủ tục (đạt 57,41%)" is
58,44%. Each check appends a short machine-readable string with a human hint to the
`warnings` list of the rows it concerns:

* ``share_mismatch: 1132/1937 = 58.44%, stated 57.41%`` — a stated share that disagrees
  with value/denominator beyond the rounding of the stated figure;
* ``over_denominator: 12/9`` — a count or rank larger than its denominator;
* ``identity_mismatch: received 2740 + carried_over 0 != resolved 2518 + pending 196 = 2714``
  — received (+ carried over) differs from resolved + pending (+ returned) when received,
  resolved and pending are all stated once for the same subject, scope and period;
* ``share_sum: early 82.4% + on_time 16.9% + overdue 2.3% = 101.6% > 100%`` — the shares of
  the parts of one total (data/metrics/metric_partitions.csv) add up to more than 100;
* ``parts_exceed_total: early + on_time + overdue = 11600 > resolved 11540`` — likewise for
  the counts.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from cchc_nlp.resources import read_csv

__all__ = ["check_records", "partitions"]


@cache
def partitions() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(total metric, part metrics) from data/metrics/metric_partitions.csv."""
    return tuple((row["total"], tuple(row["parts"].split("|"))) for row in read_csv("metrics/metric_partitions.csv"))


def _decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text:
        return 6
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return len(frac)


def _fmt(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _short(metric: str) -> str:
    return metric.split(".", 1)[-1]


def check_records(rows: list[dict[str, Any]], paragraphs: list[int] | None = None) -> list[dict[str, Any]]:
    """Add consistency warnings to metric records (in place); returns the rows.

    Rows are compared within groups of the same subject, scope, period and target flag,
    and, when `paragraphs` (one paragraph number per row) is given, the same paragraph.
    """
    for row in rows:
        row.setdefault("warnings", [])
        _check_share(row)
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for index, row in enumerate(rows):
        key = (
            row.get("subject"),
            row.get("scope_level"),
            row.get("period_start"),
            row.get("period_end"),
            bool(row.get("is_target")),
            paragraphs[index] if paragraphs is not None else None,
        )
        groups[key].append(row)
    for group in groups.values():
        _check_identity(group)
        _check_partitions(group)
    return rows


def _add(row: dict[str, Any], warning: str) -> None:
    if warning not in row["warnings"]:
        row["warnings"].append(warning)


def _check_share(row: dict[str, Any]) -> None:
    value, denominator, share = row.get("value"), row.get("denominator"), row.get("share")
    if denominator in (None, 0) or value is None:
        return
    if row.get("unit") in ("count", "rank") and value > denominator:
        _add(row, f"over_denominator: {_fmt(value)}/{_fmt(denominator)}")
    if share is None or row.get("unit") == "percent":
        return
    computed = 100.0 * float(value) / float(denominator)
    tolerance = 0.5 * 10 ** -_decimals(share) + 0.005
    if abs(computed - float(share)) > tolerance:
        _add(row, f"share_mismatch: {_fmt(value)}/{_fmt(denominator)} = {computed:.2f}%, stated {_fmt(share)}%")


def _single(group: list[dict[str, Any]], metric: str) -> dict[str, Any] | None:
    found = [r for r in group if r["metric"] == metric and r.get("unit") != "percent"]
    return found[0] if len(found) == 1 else None


def _check_identity(group: list[dict[str, Any]]) -> None:
    received = _single(group, "dossier.received")
    resolved = _single(group, "dossier.resolved")
    pending = _single(group, "dossier.pending")
    if received is None or resolved is None or pending is None:
        return
    if any(r.get("qualifier") not in (None, "exact") for r in (received, resolved, pending)):
        return
    carried = _single(group, "dossier.carried_over")
    returned = _single(group, "dossier.returned_or_withdrawn")
    total_in = received["value"] + (carried["value"] if carried else 0)
    total_out = resolved["value"] + pending["value"] + (returned["value"] if returned else 0)
    if abs(total_in - total_out) > 0.5:
        left = f"received {_fmt(received['value'])}" + (f" + carried_over {_fmt(carried['value'])}" if carried else "")
        right = f"resolved {_fmt(resolved['value'])} + pending {_fmt(pending['value'])}" + (
            f" + returned {_fmt(returned['value'])}" if returned else ""
        )
        _add(received, f"identity_mismatch: {left} != {right} = {_fmt(total_out)}")


def _check_partitions(group: list[dict[str, Any]]) -> None:
    for total_metric, parts in partitions():
        rows = []
        for part in parts:
            found = [r for r in group if r["metric"] == part and r.get("qualifier") in (None, "exact")]
            if len(found) != 1:
                rows = []
                break
            rows.append(found[0])
        if len(rows) < 2:
            continue
        shares = [r.get("share") for r in rows]
        if all(s is not None for s in shares):
            total_share = sum(float(s) for s in shares)
            tolerance = sum(0.5 * 10 ** -_decimals(s) for s in shares) + 0.005
            if total_share > 100 + tolerance:
                text = " + ".join(f"{_short(r['metric'])} {_fmt(r['share'])}%" for r in rows)
                for r in rows:
                    _add(r, f"share_sum: {text} = {_fmt(total_share)}% > 100%")
        total = _single(group, total_metric)
        counts = [r for r in rows if r.get("unit") == "count"]
        if total is not None and len(counts) == len(rows) and total.get("unit") == "count":
            parts_sum = sum(r["value"] for r in counts)
            if parts_sum > total["value"] + 0.5:
                names = " + ".join(_short(r["metric"]) for r in rows)
                _add(
                    total,
                    f"parts_exceed_total: {names} = {_fmt(parts_sum)} > {_short(total_metric)} {_fmt(total['value'])}",
                )
