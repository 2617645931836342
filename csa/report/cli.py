"""``csa report`` on the command line: its flags (:func:`add_parser`, called by :mod:`csa.cli`), one line
on a refusal, exit 130 / 143 on SIGINT / SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from .run import run_report

__all__ = ["add_parser"]


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the run cleans up the same way."""


def _stop(signum, _frame) -> None:
    for s in (signal.SIGINT, signal.SIGTERM):  # the clean-up runs once, uninterrupted
        signal.signal(s, signal.SIG_IGN)
    raise _Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _parse_params(pairs: list[list[str]] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in pairs or []:
        if k in out and out[k] != v:
            raise ValueError(f"-p {k} is given twice ({out[k]!r} and {v!r}); give it once")
        out[k] = v
    return out


def _os_error(exc: OSError) -> str:
    """What the machine refused, in words: a full disk or a permission said as such, the file named."""
    import errno

    text = exc.strerror or str(exc)
    name = str(exc.filename) if exc.filename and str(exc.filename) not in text else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        head = text if text.startswith("the disk is full") else (
            f"the disk is full ({text})" + (f" while writing {name}" if name else ""))
        return (f"{head}; nothing was published: --out still holds the report it held before. Free some space "
                "on that disk (or give --out on another disk) and run again")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"permission denied ({text})" + (f" on {name}" if name else "")
                + "; nothing was published: --out still holds the report it held before. Check that you may "
                "write there (or give another --out) and run again")
    return str(exc)


def _cmd(args) -> int:
    before = {}
    if threading.current_thread() is threading.main_thread():
        before = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        manifest = run_report(args.period, data_dir=args.data, out=args.out, lang=args.lang, freq=args.freq,
                              params=_parse_params(args.param), mapping=args.mapping, tz=args.tz,
                              registry=args.registry, jobs=args.jobs, engine=args.engine, pdf=args.pdf,
                              notebooks=[Path(n) for n in args.notebook] if args.notebook else None,
                              progress=lambda m: print(m, file=sys.stderr, flush=True))
    except KeyboardInterrupt as exc:
        term = isinstance(exc, _Terminated)
        published = getattr(exc, "csa_published", None)
        state = (f"the new report was published in {published}" if published else
                 "the report folder was left as it was")
        print(f"csa report: {'stopped by SIGTERM' if term else 'interrupted'}; {state}", file=sys.stderr, flush=True)
        return 143 if term else 130
    except (ValueError, FileNotFoundError) as exc:
        print(f"csa report: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"csa report: {_os_error(exc)}", file=sys.stderr)
        return 1
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
    return 0 if manifest["ok"] else 1


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="run the report notebooks for a period (papermill) and export HTML")
    p.add_argument("--period", default="",
                   help="report period, e.g. 2026-10 (or 2026Q3 / FY2026 with --freq); default: the last one the data "
                        "covers to its end (the report says which it took and why)")
    p.add_argument("--data", default="data/sample", help="data folder (default: data/sample)")
    p.add_argument("--out", default=None,
                   help="report folder (default: reports/<period>); replaced only if empty or an earlier report")
    p.add_argument("--lang", default="en", choices=["en", "ja"],
                   help="language of the report pages, charts and tables")
    p.add_argument("--freq", default="month", choices=["month", "quarter", "fiscal_year"])
    p.add_argument("--mapping", default=None, metavar="FILE",
                   help="YAML mapping of your export's columns and values (for notebooks that take one)")
    p.add_argument("--tz", default=None, metavar="ZONE",
                   help="business time zone, e.g. Asia/Tokyo (default: each notebook's own)")
    p.add_argument("--engine", default=None, choices=["pandas", "duckdb", "spark"],
                   help="what counts the rows in the notebooks that take an engine (default: each notebook's own, "
                        "pandas); duckdb and spark need csa[duckdb] / csa[spark], see README")
    p.add_argument("--registry", default=None, metavar="FILE",
                   help="KPI registry (YAML) for the front-page scorecard and the KPI-cycle section; default: "
                        "registry.yaml in the data folder, else the example when --data is the bundled sample")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="another notebook parameter (typed like the notebook's default, checked against the "
                        "range its comment declares); repeatable")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="notebooks run at once, each in its own kernel (default: one per core, "
                        f"{os.cpu_count() or 1} here, fewer if memory would not hold that many copies of the data)")
    p.add_argument("--pdf", action="store_true",
                   help="also print the pages into one PDF in the report folder (A4; needs Chromium: chromium, "
                        "google-chrome, or the path in CSA_CHROMIUM)")
    p.add_argument("--notebook", action="append", metavar="PATH",
                   help="run this notebook instead of the report sections in notebooks/index.yaml; "
                        "repeatable")
    p.set_defaults(func=_cmd)
