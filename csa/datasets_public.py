"""Public reference data sets bundled with the handbook (real data with published results).

Each lives in ``data/public/<name>/`` of the repository with its licence and a note of origin
(``SOURCE.md``). To be folded into :mod:`csa.datasets`.

>>> summary, spend = load_cdnow()
>>> len(summary), int((spend["x"] > 0).sum())
(2357, 946)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .datasets import _bundled

__all__ = ["cdnow_dir", "load_cdnow"]

_CDNOW_FILES = ("cdnow_customers_summary.csv", "cdnow_customers_summary_with_transactions.csv")


def cdnow_dir() -> Path:
    """Folder of the bundled CDNOW summaries (``data/public/cdnow`` of the csa checkout).

    Raises
    ------
    FileNotFoundError
        When csa was installed without its repository; :func:`load_cdnow` then takes ``folder=``.
    """
    return _bundled("_public/cdnow", "data/public/cdnow",
                    "the bundled CDNOW data was not found: it lives in data/public/cdnow of the csa repository. "
                    "Install csa from a checkout (pip install -e .), or pass folder= to load_cdnow() (a folder "
                    "holding " + " and ".join(_CDNOW_FILES) + ")",
                    found=lambda folder: all((folder / f).is_file() for f in _CDNOW_FILES))


def load_cdnow(folder: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The CDNOW calibration summaries of Fader, Hardie & Lee (2005): 2,357 customers, in weeks.

    Parameters
    ----------
    folder : str or Path, optional
        A folder holding the two CSV files (e.g. ``../shared/data/cdnow_lifetimes``); default
        the bundled copy (:func:`cdnow_dir`).

    Returns
    -------
    (DataFrame, DataFrame)
        ``summary``: ``customer_id``, ``frequency`` (repeat purchases), ``recency`` (weeks from
        the first to the last purchase), ``T`` (weeks from the first purchase to the end of the
        39-week calibration period); ``spend``: ``customer_id``, ``x``, ``t_x``, ``T``, ``zbar``
        (mean value of the repeat purchases, US dollars; 0 when ``x`` is 0). One row per customer,
        in the same order. Size 40 KB and 57 KB; example row ``1, 2, 30.43, 38.86(, 22.35)``.

    Notes
    -----
    Origin and licence: ``data/public/cdnow/SOURCE.md`` (copied from the MIT-licensed
    ``lifetimes`` package). Published fits: BG/NBD r = 0.243, α = 4.414, a = 0.793, b = 2.426;
    Gamma-Gamma p = 6.25, q = 3.74, γ = 15.44 (see :mod:`csa.metrics.clv`).
    """
    root = Path(folder) if folder is not None else cdnow_dir()
    missing = [f for f in _CDNOW_FILES if not (root / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{root}: missing {', '.join(missing)}")
    summary = pd.read_csv(root / _CDNOW_FILES[0]).rename(columns={"ID": "customer_id"})
    spend = pd.read_csv(root / _CDNOW_FILES[1]).rename(columns={"ID": "customer_id"})
    return summary, spend
