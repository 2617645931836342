"""The ``csa`` command line: ``csa check``, ``csa sample``, ``csa import``, ``csa report``."""

from __future__ import annotations

import argparse
import sys
import time

__all__ = ["main"]


def _check(args) -> int:
    from .check import summary
    from .io.loader import inspect

    try:
        window = tuple(None if w in ("", "-") else w for w in args.time_window) if args.time_window else None
        result = inspect(args.path, tz=args.tz, mapping=args.mapping, time_window=window)
    except (FileNotFoundError, ValueError) as exc:
        print(f"csa check: {exc}", file=sys.stderr)
        return 2
    print(summary(result))
    return 0 if result.ok else 1


def _sample(args) -> int:
    from . import sample

    t0 = time.perf_counter()
    try:
        counts = sample.write(args.out, n_customers=args.customers, months=args.months, end=args.end,
                              seed=args.seed)
    except ValueError as exc:
        print(f"csa sample: {exc}", file=sys.stderr)
        return 2
    took = time.perf_counter() - t0
    for name, n in counts.items():
        print(f"{name:<14}{n:>12,} rows")
    print(f"wrote {args.out} in {took:.1f} s")
    return 0


def _import(args) -> int:
    from .imports import ImportRefused, MissingConfig, import_folder

    try:
        report = import_folder(args.raw_dir, args.into, config=args.config)
    except MissingConfig as exc:
        print(f"csa import: {exc}", file=sys.stderr)
        return 2
    except ImportRefused as exc:
        print(f"csa import: {exc}", file=sys.stderr)
        return 2
    print(report.text(), end="")
    print(f"Wrote {args.into} (the report is saved there as import_report.md and import_report.json). Next: "
          f"csa check {args.into}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csa", description="Customer-success analytics handbook tools.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="check a data folder and print a data-quality summary")
    p.add_argument("path", help="folder holding customers.csv, tickets.csv, … (one file per table)")
    p.add_argument("--tz", default="Asia/Tokyo", help="business time zone (default: Asia/Tokyo)")
    p.add_argument("--mapping", default=None, help="YAML mapping of your export's columns and values")
    p.add_argument("--time-window", nargs=2, metavar=("START", "END"), default=None,
                   help="months (YYYY-MM) outside which a date is a problem; '-' keeps the default "
                        "(2000-01 to one month after the data's last month)")
    p.set_defaults(func=_check)

    p = sub.add_parser("sample", help="generate the deterministic sample data set")
    p.add_argument("--out", required=True, help="folder to write the CSV files into")
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--end", default="2026-10", help="last month, YYYY-MM (default: 2026-10)")
    p.add_argument("--seed", type=int, default=20261031)
    p.set_defaults(func=_sample)

    p = sub.add_parser("import", help="turn raw exports (Zendesk, forms, Stripe, Salesforce, HubSpot) into a data "
                                      "folder, and report how")
    p.add_argument("raw_dir", metavar="RAW_DIR", help="folder holding the exports as downloaded")
    p.add_argument("--into", required=True, metavar="DATA_DIR", help="data folder to write (created if missing)")
    p.add_argument("--config", default=None, metavar="FILE",
                   help="import config (YAML): time zone and survey entries; default: import.yaml in RAW_DIR")
    p.set_defaults(func=_import)

    from .report import add_parser as add_report

    add_report(sub)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl-C: one line, not a traceback (csa report says more itself)
        print(f"csa {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
