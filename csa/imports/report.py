"""The import report: per file what it was recognised as, its encoding, rows in, rows written, rows
skipped and why, and how its records were linked; then the month rule, the tables written and the
columns left out. Printed by ``csa import`` and saved next to the data as ``import_report.json``
and ``import_report.md`` (no clock time in either: the same files give the same report)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

__all__ = ["FileReport", "ImportReport"]


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


@dataclass
class FileReport:
    """One raw file. ``written`` counts rows per csa table the file contributed; ``skipped`` counts rows
    left out per reason; ``linking`` is :meth:`csa.imports.link.LinkStats.as_dict`."""

    file: str
    recognised: str | None
    kind: str | None = None
    encoding: str | None = None
    rows_in: int = 0
    written: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    linking: dict | None = None
    notes: list[str] = field(default_factory=list)
    #: what the records were linked to: the customers, or (for a billing export) the CRM's accounts
    linked_to: str = "customers"


@dataclass
class ImportReport:
    """What ``csa import`` did. ``tables`` maps each table written to its rows; ``columns`` to its
    columns; ``left_out`` to the data-model columns not written and why."""

    raw_dir: str
    data_dir: str
    timezone: str
    month_rule: str
    month_rule_text: str
    as_of: str | None
    as_of_source: str
    last_month: str | None
    files: list[FileReport] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    left_out: dict[str, dict[str, str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    business_clock: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The report as saved in ``import_report.json`` (without the data folder's path: the same raw
        files give the same file wherever they are imported)."""
        d = asdict(self)
        d.pop("data_dir")
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    def file(self, name: str) -> FileReport:
        """The report of the raw file called ``name``."""
        for f in self.files:
            if f.file == name:
                return f
        raise KeyError(f"no file {name!r} in the import; the files are: {', '.join(f.file for f in self.files)}")

    def _lines(self, md: bool) -> list[str]:
        b = (lambda s: f"**{s}**") if md else (lambda s: s)
        h = (lambda s: f"## {s}") if md else (lambda s: s.upper())
        li = "- " if md else "  "
        out = [("# " if md else "") + f"csa import {self.raw_dir}" + ("" if md else f" → {self.data_dir}"),
               "", f"Business time zone: {self.timezone}.", "", h("Files"), ""]
        for f in self.files:
            if f.recognised is None:
                out.append(f"{li}{b(f.file)}: not recognised, not read" + (f" ({'; '.join(f.notes)})" if f.notes
                                                                           else ""))
                continue
            out.append(f"{li}{b(f.file)}: {f.recognised} ({f.encoding}); {_rows(f.rows_in)} in")
            sub = "  " + li
            if f.written:
                out.append(sub + "written: " + ", ".join(f"{_rows(n)} to {t}" for t, n in f.written.items()))
            if f.skipped:
                out.append(sub + "skipped: " + ", ".join(f"{why} {n:,}" for why, n in f.skipped.items()))
            if f.linking and f.linking.get("records"):
                lk = f.linking
                pct = lambda n, total=lk["records"]: f"{100 * n / total:.1f} %"
                rules = ", ".join(f"by {r} {n:,} ({pct(n)})" for r, n in lk["by_rule"].items())
                text = f"linked to {f.linked_to}: {lk['linked']:,} of {lk['records']:,} ({pct(lk['linked'])})"
                out.append(sub + text + (f": {rules}" if rules else ""))
                if lk["unlinked"]:
                    what = ("kept without a customer" if f.linked_to == "customers"
                            else "not in the CRM, added as customers")
                    out.append(sub + what + ": " + ", ".join(f"{why} {n:,}" for why, n in lk["unlinked"].items()))
            out += [sub + n for n in f.notes]
        out += ["", h("Month rule"), "", f"{b(self.month_rule)}: {self.month_rule_text}."]
        if self.last_month:
            out.append(f"Months are written up to {self.last_month}: the files run to {self.as_of} "
                       f"({self.as_of_source}), and a month is written once it has ended.")
        out += ["", h("Tables written"), ""]
        for t, n in self.tables.items():
            out.append(f"{li}{b(t)}: {_rows(n)}; columns {', '.join(self.columns[t])}")
            if self.left_out.get(t):
                out.append("  " + li + "not written: " + "; ".join(f"{c} ({why})" for c, why in
                                                                 self.left_out[t].items()))
        if self.removed:
            out.append(f"{li}removed (written by an earlier import, not by this one): {', '.join(self.removed)}")
        if self.business_clock or self.notes:
            out += ["", h("Notes"), ""]
        if self.business_clock:
            out.append(f"{li}Business hours from the config: {self.business_clock}. `csa report` on this folder "
                       "reads them from import_report.json (the KPIs on business time then count the same hours as "
                       "your help desk); `-p business_clock …` overrides them")
        out += [li + n for n in self.notes]
        return out

    def text(self) -> str:
        """The report as printed by ``csa import``."""
        return "\n".join(self._lines(False)) + "\n"

    def markdown(self) -> str:
        """The report as saved in ``import_report.md``."""
        return "\n".join(self._lines(True)) + "\n"

    def __str__(self) -> str:
        return self.text()
