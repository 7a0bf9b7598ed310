"""Tasks: the documents not yet covered by the parts of the output directory, in groups."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cchc_nlp.dataset.readers import InputFile, RawItem, iter_items

__all__ = ["Task", "InputState", "plan_tasks", "ranges"]


@dataclass
class Task:
    """Documents to process together, and what they cover of each input."""

    items: list[RawItem] = field(default_factory=list)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)  # input real path -> entry

    def entry(self, source: InputFile) -> dict[str, Any]:
        if source.real not in self.coverage:
            self.coverage[source.real] = {
                "input": source.real,
                "key": source.key,
                "path": source.path,
                "kind": source.kind,
                "size": source.size,
                "mtime_ns": source.mtime_ns,
                "items": [],
                "total": None,
            }
        return self.coverage[source.real]


@dataclass
class InputState:
    """What the parts in DIR cover of one version of one input."""

    covered: set[int] = field(default_factory=set)
    total: int | None = None

    @property
    def complete(self) -> bool:
        return (
            self.total is not None
            and len(self.covered) >= self.total
            and all(i in self.covered for i in range(self.total))
        )


def ranges(indexes: list[int]) -> list[list[int]]:
    """[0, 1, 2, 5] -> [[0, 3], [5, 6]] (half-open ranges)."""
    ranges: list[list[int]] = []
    for index in sorted(indexes):
        if ranges and ranges[-1][1] == index:
            ranges[-1][1] = index + 1
        else:
            ranges.append([index, index + 1])
    return ranges


def plan_tasks(
    inputs: list[InputFile],
    state: dict[tuple[str, str], InputState],
    chunk_size: int,
    limit: int | None,
    *,
    workers: int = 1,
    total: int | None = None,
) -> Iterator[Task]:
    """Tasks for every document not yet covered, in input order; at most `limit` documents.

    With several `workers` and the `total` number of documents known, the last tasks are
    smaller (at most a 2 x workers-th of the documents left), so that the workers finish
    at about the same time instead of one waiting for another's last full task.
    """

    def size(planned: int) -> int:
        left = None if total is None else total - planned
        if workers < 2 or left is None or left <= 0:  # (left <= 0: the count was off; full tasks)
            return chunk_size
        return max(1, min(chunk_size, -(-left // (2 * workers))))

    task = Task()
    planned = 0
    target = size(planned)
    for source in inputs:
        known = state.get((source.real, source.key))
        if known is not None and known.complete:
            continue
        reader = iter_items(source, skip=known.covered if known else ())
        for item in reader:
            if limit is not None and planned >= limit:
                break
            task.entry(source)["items"].append(item.index)
            task.items.append(item)
            planned += 1
            if len(task.items) >= target:
                yield task
                task = Task()
                target = size(planned)
        else:
            task.entry(source)["total"] = reader.total
            continue
        break  # the limit was reached
    if task.coverage:
        yield task
