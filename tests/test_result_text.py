"""Results the lessons print, in either language: ``csa.views.common.result_text``.

The Japanese sentence of each result carries no English words (acronyms, units and the symbols of a
model's parameters aside) and the same numbers as the English one.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

import csa
from csa import stats as S
from csa.metrics import churn as C
from csa.metrics import clv, sbg
from csa.metrics import ltv as LT
from csa.metrics import nps as N
from csa.metrics import support as SP
from csa.metrics import survey as M
from csa.views.common import result_text

#: ASCII words a Japanese sentence may carry: acronyms, units, model names and parameters' symbols
ALLOWED = {"NPS", "CSAT", "CES", "GCR", "FCR", "MRR", "NRR", "GRR", "LTV", "BG/NBD", "BG", "NBD", "sBG",
           "Gamma-Gamma", "Gamma"}

_MRR = {"A": [10, 10, 10], "B": [10, 10, None], "C": [50, 50, 30], "D": [20, 20, 20], "E": [30, 30, None],
        "F": [10, 10, 15], "G": [10, 10, 10], "H": [None, 10, 10], "I": [None, None, 20], "J": [10, None, 10]}
_TEN = (pd.DataFrame(_MRR, index=["2026-08", "2026-09", "2026-10"]).rename_axis("month").reset_index()
        .melt("month", var_name="customer_id", value_name="mrr").dropna())


def _results():
    fh = sbg.FADER_HARDIE_2007["regular"][:8]
    return {
        "nps": N.nps([10, 9, 9, 10, 9, 8, 7, 8, 3, 6]),
        "nps_none": N.nps([]),
        "csat": M.csat([5, 4, 4, 3, 5, 2, 4, 1]),
        "csat_top1": M.csat([5, 4, 4, 3, 5, 2, 4, None], top=1),
        "ces": M.ces([1, 2, 2, 3, 5, 6, 7, 4]),
        "ces_high": M.ces([7, 6, 6, 5, 3, 2, 1, 4], easy_end="high"),
        "gcr": M.gcr([False, True, True, False, False]),
        "fcr": SP.RateResult(62.5, 30.6, 86.3, 8, 5, 2, kpi="FCR", definition="one_touch"),
        "fcr_plain": SP.RateResult(50.0, 20.0, 80.0, 4, 2),
        "kpi": csa.measure("revenue_churn", {"subscriptions": _TEN}, period="2026-10"),
        "kpi_nrr": csa.measure("nrr", {"subscriptions": _TEN}, period="2026-10"),
        "difference": S.diff_proportions(505_000, 1_000_000, 500_000, 1_000_000),
        "difference_neg": S.diff_proportions(50, 120, 60, 110),
        "difference_many": S.diff_proportions([50, 5], [120, 10], [60, 6], [110, 10]),
        "welch": S.diff_means(4.0, 1.0, 30, 3.5, 1.2, 40),
        "proportion": S.proportion(3, 3),
        "customer_churn": C.customer_churn(_TEN, "2026-10"),
        "revenue_churn": C.revenue_churn(_TEN, "2026-10"),
        "bgnbd": clv.BGNBD(0.243, 4.414, 0.793, 2.426, -9582.43, 2357),
        "gamma_gamma": clv.GammaGamma(6.25, 3.74, 15.44, -100.0, 946),
        "sbg": sbg.fit((fh * 10).round().astype(int)),
        "tiers": LT.ltv_tiers([5, 1, 9, 3, 7, 2, 4, 6, 8, 10]),
        "tiers_money": LT.ltv_tiers([1_500, 2_000, 12_000, 800], method="threshold", cuts=(10_000, 1_000)),
    }


RESULTS = _results()
_NUMBER = re.compile(r"[+\u2212]?\d+(?:,\d{3})*(?:\.\d+)?")


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


@pytest.mark.parametrize("name", list(RESULTS))
def test_japanese_has_no_english_words(name):
    ja = result_text(RESULTS[name], "ja")
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja), ja
    words = re.findall(r"[A-Za-z][A-Za-z/\-]*", ja)
    stray = [w for w in words if w not in ALLOWED and len(w) > 1]  # one letter: n, p, z, t, r, a, b, q
    assert not stray, f"{name}: {stray} in {ja!r}"


@pytest.mark.parametrize("name", list(RESULTS))
def test_japanese_has_the_english_numbers(name):
    en, ja = result_text(RESULTS[name], "en"), result_text(RESULTS[name], "ja")
    assert sorted(_numbers(en)) == sorted(_numbers(ja)), (en, ja)


@pytest.mark.parametrize("name", list(RESULTS))
def test_the_handbook_writes_the_numbers(name):
    for lang in ("en", "ja"):
        text = result_text(RESULTS[name], lang)
        assert not re.search(r"(?<![A-Za-z\d])-\d", text), text  # a real minus sign, never a hyphen
        assert " %" not in text, text


def test_english_keeps_the_results_own_sentence():
    """The English sentence is the result's own (``str``), with the handbook's minus sign and ``62.5%``."""
    for name in ("csat", "ces", "gcr", "proportion", "customer_churn"):
        assert result_text(RESULTS[name]) == str(RESULTS[name]).replace(" %", "%"), name


def test_unknown_objects_are_written_as_they_are():
    assert result_text(3.5, "ja") == "3.5"
