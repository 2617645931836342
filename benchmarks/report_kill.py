"""Kill `csa report` many more times than the test does, and say where the kills landed.

    .venv/bin/python benchmarks/report_kill.py [TRIES] [--swap exchange|symlink] [--seed N]

The same loop as ``tests/test_report_faults.py`` (a tiny notebook, SIGKILL at random moments,
half of them around the swap; ``--out`` checked after every kill and watched during every run),
for when you change the publication code: 200 tries take a few minutes. Exits 1 on the first
moment ``--out`` was missing or half-written, with the seed and try to replay it.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_report_faults import kill_loop, make_setup  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tries", type=int, nargs="?", default=100)
    ap.add_argument("--swap", choices=["exchange", "symlink"], default="exchange")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="csa-kill-") as tmp:
        setup = make_setup(Path(tmp))
        t0 = time.perf_counter()
        try:
            full, outcomes = kill_loop(setup, Path(tmp) / "pub" / "out", args.tries, args.swap, args.seed)
        except AssertionError as exc:
            print(f"FAILED (replay with --seed {args.seed} --swap {args.swap}): {exc}")
            return 1
        took = time.perf_counter() - t0
    landed = collections.Counter((c, w, r) for _, c, w, r in outcomes)
    print(f"{args.tries} kills ({args.swap}, seed {args.seed}) in {took:.0f} s, one run {full:.1f} s; "
          "--out was complete at every check")
    for (c, w, r), n in sorted(landed.items(), key=lambda x: -x[1]):
        print(f"{n:5d}  {c:8} after '{w}' -> {r} report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
