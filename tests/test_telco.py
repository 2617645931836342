"""The bundled IBM Telco Customer Churn data: the file, its loading, and the published figures."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint

import csa
from csa.metrics import churn as C
from csa.metrics import survival as SV
from csa.views import churn as V

from .conftest import ROOT

SHA256 = "16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91"
SHARED = Path(ROOT).parent / "shared" / "data" / "telco_customer_churn"


@pytest.fixture(scope="module")
def telco():
    return csa.datasets.load_telco()


def test_bundled_file_licence_and_note_of_origin():
    path = csa.datasets.telco_path()
    assert path.parent == ROOT / "data" / "public" / "telco_customer_churn"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SHA256
    assert path.stat().st_size == 970_457
    assert "Apache License" in (path.parent / "LICENSE_Apache-2.0.txt").read_text(encoding="utf-8")
    note = (path.parent / "SOURCE.md").read_text(encoding="utf-8")
    assert "IBM/telco-customer-churn-on-icp4d" in note and SHA256 in note


@pytest.mark.skipif(not (SHARED / "Telco-Customer-Churn.csv").is_file(),
                    reason=f"the shared reference copy is not in {SHARED} (../shared/data beside the repository)")
def test_bundled_copy_equals_the_shared_reference():
    assert csa.datasets.telco_path().read_bytes() == (SHARED / "Telco-Customer-Churn.csv").read_bytes()


def test_the_eleven_blank_total_charges_are_missing_not_zero(telco):
    raw = pd.read_csv(csa.datasets.telco_path(), dtype=str, keep_default_na=False)
    blank = raw["TotalCharges"].str.strip() == ""
    assert blank.sum() == 11 and (raw.loc[blank, "tenure"] == "0").all()
    assert (raw.loc[~blank, "tenure"] != "0").all()  # exactly the tenure-0 customers
    assert telco.shape == (7043, 21) and telco["TotalCharges"].isna().sum() == 11
    np.testing.assert_array_equal(telco["TotalCharges"].isna(), blank)
    np.testing.assert_allclose(telco.loc[~blank, "TotalCharges"], raw.loc[~blank, "TotalCharges"].astype(float))
    assert telco["customerID"].is_unique and set(telco["Churn"]) == {"Yes", "No"}


def test_churn_rate_with_interval(telco):
    overall = V.telco(telco).iloc[0]
    assert (overall["n"], overall["churned"]) == (7043, 1869)  # published: 1,869 of 7,043 (26.5 %)
    assert round(overall["value"], 1) == 26.5
    lo, hi = proportion_confint(1869, 7043, method="wilson")
    assert (overall["low"], overall["high"]) == pytest.approx((100 * lo, 100 * hi))


def test_churn_by_contract(telco):
    tab = V.telco_by_contract(telco).set_index("Contract")
    want = {"Month-to-month": (3875, 1655), "One year": (1473, 166), "Two year": (1695, 48)}
    for contract, (n, x) in want.items():
        assert (tab.loc[contract, "n"], tab.loc[contract, "churned"]) == (n, x)
    assert tab["value"].round(1).tolist() == [42.7, 11.3, 2.8]
    d = C.compare(tab.loc["Month-to-month"], tab.loc["One year"])
    assert d.low > 25  # contract type separates churn by far more than chance


def test_kaplan_meier_by_contract_equals_lifelines(telco):
    curves, test = V.telco_km(telco)
    for contract, part in curves.groupby("Contract"):
        g = telco[telco["Contract"] == contract]
        kmf = KaplanMeierFitter().fit(g["tenure"], g["Churn"] == "Yes")
        np.testing.assert_allclose(part["survival"] / 100, kmf.survival_function_.iloc[:, 0])
    assert test.df == 2 and test.p_value < 1e-100


def test_databricks_published_kaplan_meier_figures(telco):
    # Databricks Industry Solutions, survival-analysis accelerator (01_intro, 02_kaplan_meier): month-to-month
    # contracts with internet service; "the median (34 months)"
    sub = telco[(telco["Contract"] == "Month-to-month") & (telco["InternetService"] != "No")]
    r = SV.survival(sub["tenure"], sub["Churn"] == "Yes")
    pub = V.TELCO_PUBLISHED
    assert (r.n, r.events, r.median) == (pub["databricks_subset"], pub["databricks_churned"],
                                         pub["databricks_median"])
    assert "3,351 customers, 1,556 churned and a median tenure of 34 months" in V.describe_telco(V.telco(telco), r)
