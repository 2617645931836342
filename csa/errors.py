"""Problems found in input data, and the error that lists them all."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DataError", "Problem"]


@dataclass
class Problem:
    """One problem in one column (or file) of one table.

    ``rows`` are row numbers as a spreadsheet shows them: the header is row 1, so the first
    data row is row 2. ``n_rows`` counts every affected row; ``rows`` and ``values`` show a few.
    """

    table: str
    file: str
    message: str
    fix: str
    column: str | None = None
    n_rows: int = 0
    rows: list[int] = field(default_factory=list)
    values: list[object] = field(default_factory=list)

    def __str__(self) -> str:
        where = self.file + (f", column '{self.column}'" if self.column else "")
        text = f"{where}: {self.message}"
        if self.n_rows:
            if self.rows:
                examples = ", ".join(
                    f"row {r}: {v!r}" if v is not None else f"row {r}"
                    for r, v in zip(self.rows, self.values or [None] * len(self.rows))
                )
            else:  # no row numbers (e.g. counted on DuckDB or Spark): show the values themselves
                examples = ", ".join(repr(v) for v in self.values)
            text += f" [{self.n_rows} row{'s' if self.n_rows != 1 else ''}"
            text += f"; e.g. {examples}]" if examples else "]"
        return f"{text}. Fix: {self.fix}"


class DataError(ValueError):
    """Input data that ``csa`` cannot use. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        head = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        head += f" in {source}" if source else ""
        lines = [f"{head}:"] + [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        super().__init__("\n".join(lines))
