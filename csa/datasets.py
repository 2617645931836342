"""Bundled data sets, loadable from any working directory.

>>> ds = load_sample()
>>> len(ds.customers), sorted(ds.tables())[:3]
(2000, ['customers', 'goals', 'orders'])
>>> telco = load_telco()
>>> telco.shape, int(telco["TotalCharges"].isna().sum())
((7043, 21), 11)
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["load_sample", "load_telco", "sample_dir", "telco_path"]


def _bundled(beside: str, in_repo: str, missing: str, found=Path.is_file) -> Path:
    """A bundled file or folder: ``csa/<beside>`` (a copy shipped in the package) or ``<in_repo>`` of the csa
    checkout the package runs from, the first for which ``found(path)`` holds; else FileNotFoundError(``missing``)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / beside, here.parent / in_repo):
        if found(candidate):
            return candidate
    raise FileNotFoundError(missing)


def sample_dir() -> Path:
    """Folder of the bundled sample (``data/sample`` of the csa checkout this package runs from).

    Raises
    ------
    FileNotFoundError
        When csa was installed without its repository (the sample is not part of the wheel).
    """
    return _bundled("_sample", "data/sample",
                    "the bundled sample was not found: it lives in data/sample of the csa repository. Install csa "
                    "from a checkout (pip install -e .) or generate one with `csa sample --out DIR` and use "
                    "csa.load(DIR)", found=lambda folder: (folder / "customers.csv").is_file())


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
    from .io.loader import load

    return load(sample_dir(), tz=tz)


TELCO_FILE = "Telco-Customer-Churn.csv"


def telco_path() -> Path:
    """The bundled copy of the IBM Telco Customer Churn CSV (``data/public/telco_customer_churn``).

    Raises
    ------
    FileNotFoundError
        When csa was installed without its repository: only a checkout holds the CSV.
    """
    return _bundled(f"_public/telco_customer_churn/{TELCO_FILE}", f"data/public/telco_customer_churn/{TELCO_FILE}",
                    "the bundled Telco data set was not found: it lives in data/public/telco_customer_churn of the "
                    "csa repository. Install csa from a checkout (pip install -e .)")


def load_telco():
    """IBM's Telco Customer Churn sample data: 7,043 customers of a fictional telecom company.

    Returns
    -------
    DataFrame
        The 21 columns as published (``customerID`` … ``Churn``; see
        ``data/public/telco_customer_churn/SOURCE.md``), with ``TotalCharges`` as a number. Its 11
        blank values — the customers with ``tenure == 0``, not billed yet — are missing (NaN): never
        0, never dropped. ``tenure`` is in months; ``Churn`` is ``"Yes"`` for a customer who left
        within the last month, ``"No"`` otherwise (still a customer: their tenure is censored).

    Notes
    -----
    Origin: GitHub ``IBM/telco-customer-churn-on-icp4d``, ``data/Telco-Customer-Churn.csv``
    (Apache-2.0; the licence file is bundled beside the data). 970,457 bytes.

    Examples
    --------
    >>> df = load_telco()
    >>> df.loc[0, ["customerID", "Contract", "Churn"]].tolist(), int(df.loc[0, "tenure"])
    (['7590-VHVEG', 'Month-to-month', 'No'], 1)
    >>> df.loc[df["TotalCharges"].isna(), "tenure"].unique().tolist()
    [0]
    """
    import pandas as pd

    df = pd.read_csv(telco_path(), dtype={"customerID": str}, keep_default_na=False, na_values=[])
    blank = df["TotalCharges"].astype(str).str.strip() == ""
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].where(~blank), errors="raise")
    return df
