"""The data-quality summary printed by ``csa check``."""

from __future__ import annotations

from .io.checks import EARLIEST, TIME_COLUMN
from .io.dataset import CheckResult
from .io.files import LINE_PROBLEMS
from .schema import TABLE_ORDER

__all__ = ["TIME_COLUMN", "summary"]


def _range(df, col) -> tuple[str, str]:
    s = df[col].dropna()
    if s.empty:
        return "-", "-"
    lo, hi = s.min(), s.max()
    if hasattr(lo, "strftime"):
        fmt = "%Y-%m" if col == "month" else "%Y-%m-%d"
        return lo.strftime(fmt), hi.strftime(fmt)
    return str(lo), str(hi)


def summary(result: CheckResult) -> str:
    """Plain-text summary: tables, rows, date ranges, normalisations, problems, verdict."""
    lines = [f"csa check {result.path}   (business time zone: {result.tz})", ""]
    header = f"{'table':<14}{'file':<22}{'encoding':<11}{'rows':>9}  {'from':<11}{'to':<11}"
    lines += [header, "-" * len(header)]
    for name in TABLE_ORDER:
        info = result.sources.get(name)
        if info is None:
            lines.append(f"{name:<14}{'(absent)':<22}")
            continue
        if not info.read:
            lines.append(f"{name:<14}{info.file:<22}(could not be read: see the problems below)")
            continue
        df = result.tables.get(name)
        lo, hi = _range(df, TIME_COLUMN[name]) if df is not None else ("?", "?")
        lost = any(p.table == name and p.file == info.file and p.message.startswith(LINE_PROBLEMS)
                   for p in result.problems)
        lines.append(f"{name:<14}{info.file:<22}{info.encoding or info.format:<11}"
                     f"{info.rows:>9,}  {lo:<11}{hi:<11}" + (f"  (sheet {info.sheet!r})" if info.sheet else "")
                     + ("  (lines of the file not read as rows: see the problems)" if lost else ""))
    norm = [(info.file, col, what, n) for info in result.sources.values()
            for (col, what), n in sorted(info.normalizations.items())]
    lines.append("")
    if norm:
        lines.append("Normalisations (values changed on the way in; nothing was dropped):")
        lines += [f"  {f}, column '{c}': {what} — {n:,} row{'s' if n != 1 else ''}" for f, c, what, n in norm]
    else:
        lines.append("Normalisations: none needed.")
    extra = [(i.file, i.extra_columns) for i in result.sources.values() if i.extra_columns]
    for f, cols in extra:
        lines.append(f"  {f}: extra columns kept as they are: {', '.join(cols)}")
    if result.ignored_files:
        lines.append(f"Files not read (not named after a table): {', '.join(result.ignored_files)}")
    start, stop = result.window
    if start is not None and stop is not None:
        how = (f"one month after the data's last month, {result.last_month}" if result.last_month is not None
               else "time_window")
        widen = "; csa.load(time_window=…) widens it" if str(start) == EARLIEST and result.last_month else ""
        lines.append(f"Dates accepted: {start} to {stop} ({how}{widen}).")
    lines.append("")
    if result.warnings:
        lines.append(f"WARNINGS: {len(result.warnings)} — the data can be used, but check these rows:")
        lines += [f"  {i}. {p}" for i, p in enumerate(result.warnings, 1)]
        lines.append("")
    if result.problems:
        lines.append(f"PROBLEMS: {len(result.problems)} — the data cannot be used until they are fixed:")
        lines += [f"  {i}. {p}" for i, p in enumerate(result.problems, 1)]
    else:
        lines.append("OK: no problems; the data can be used.")
    return "\n".join(lines)
