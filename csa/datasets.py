"""Bundled data sets, loadable from any working directory.

>>> ds = load_sample()
>>> len(ds.customers), sorted(ds.tables())[:3]
(2000, ['customers', 'goals', 'orders'])
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["load_sample", "sample_dir"]


def sample_dir() -> Path:
    """Folder of the bundled sample (``data/sample`` of the csa checkout this package runs from).

    Raises
    ------
    FileNotFoundError
        When csa was installed without its repository (the sample is not part of the wheel).
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_sample", here.parent / "data" / "sample"):
        if (candidate / "customers.csv").is_file():
            return candidate
    raise FileNotFoundError(
        "the bundled sample was not found: it lives in data/sample of the csa repository. Install csa "
        "from a checkout (pip install -e .) or generate one with `csa sample --out DIR` and use csa.load(DIR)")


def load_sample(*, tz: str = "Asia/Tokyo"):
    """The bundled fictional sample (2,000 customers, 24 months), loaded and validated.

    Parameters
    ----------
    tz : str
        Business time zone (periods are cut in it).

    Returns
    -------
    Dataset
        ``customers``, ``subscriptions``, ``orders``, ``tickets``, ``surveys``, ``goals``; see
        ``data/README.md`` for the columns and the effects planted in the data.
    """
    from .io import load

    return load(sample_dir(), tz=tz)
