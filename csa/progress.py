"""Progress bars for long steps (loading, sample generation, report notebooks), quiet in CI logs.

A bar is shown only on an interactive terminal: when standard error is not a TTY (CI, a log
file, a notebook's captured output), or ``CI`` / ``CSA_NO_PROGRESS`` is set in the environment,
:func:`bar` returns a bar that prints nothing, so logs stay clean.

>>> with bar(3, "steps", enabled=False) as b:
...     b.update()
>>> b.disable
True
"""

from __future__ import annotations

import os
import sys

from tqdm import tqdm

__all__ = ["bar", "interactive"]


def interactive() -> bool:
    """True when progress should be drawn: standard error is a terminal and neither ``CI`` nor
    ``CSA_NO_PROGRESS`` is set.

    >>> isinstance(interactive(), bool)
    True
    """
    if os.environ.get("CI") or os.environ.get("CSA_NO_PROGRESS"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def bar(total: int | float | None, desc: str, *, unit: str = "step", enabled: bool | None = None, **kw) -> tqdm:
    """A tqdm bar on standard error, disabled (silent) off a terminal.

    Parameters
    ----------
    total : the number of steps (``None``: unknown).
    desc : what is being done, e.g. ``"loading tickets.csv"``.
    unit : the unit of a step (``"row"``, ``"notebook"``, …).
    enabled : force on or off; ``None`` decides with :func:`interactive`.
    """
    on = interactive() if enabled is None else enabled
    return tqdm(total=total, desc=desc, unit=unit, disable=not on, file=sys.stderr, leave=False,
                dynamic_ncols=True, **kw)
