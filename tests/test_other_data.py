"""The report on a company's own data: nothing of the sample in it, sections without their tables skipped
cleanly, KPIs without their columns not computed (and saying so), the default period, good/bad CSAT, NRR's
start cohort."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

import csa
from csa.cli import main
from csa.report.run import _default_period

from .other_data import SAMPLE_WORDS, write_other


def _page_text(path: Path) -> str:
    """A page's text as a reader sees it: no scripts, styles or embedded images."""
    html = path.read_text(encoding="utf-8")
    return re.sub(r"<script.*?</script>|<style.*?</style>|data:image/[^\"']+", "", html, flags=re.S)


@pytest.mark.slow
def test_a_report_on_another_companys_data_shows_nothing_of_the_sample(tmp_path):
    data = write_other(tmp_path / "data")
    out = tmp_path / "report"
    assert main(["report", "--data", str(data), "--out", str(out)]) == 0  # no --period: the data's last full month
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["ok"] and m["parameters"]["period"] == "2029-10" and "2029-10-31" in m["period_note"]["en"]
    status = {e["name"]: e["status"] for e in m["notebooks"]}
    assert status.pop("09_kpi_cycle.ipynb") == "skipped"  # no registry of its own: the sample's is never used
    assert set(status.values()) == {"ok"}
    found = {(p.name, w) for p in out.glob("*.html") for w in SAMPLE_WORDS if w in _page_text(p)}
    assert not found, f"the sample shows through on other data: {sorted(found)}"
    index = _page_text(out / "index.html")
    assert "no KPI registry" in index and "Period 2029-10, chosen by default" in index


@pytest.mark.slow
def test_an_export_without_goals_orders_or_optional_columns_reports_in_japanese(tmp_path):
    data = write_other(tmp_path / "data", sparse=True)
    out = tmp_path / "report"
    assert main(["report", "--data", str(data), "--out", str(out), "--period", "2029-10", "--lang", "ja"]) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    skipped = {e["name"]: e["skipped"] for e in m["notebooks"] if e["status"] == "skipped"}
    assert set(skipped) == {"04_gcr.ipynb", "07_ltv.ipynb", "08_tiers.ipynb", "09_kpi_cycle.ipynb"}
    assert "goals.csv" in skipped["04_gcr.ipynb"] and "orders.csv" in skipped["07_ltv.ipynb"]
    assert all(e["status"] == "ok" for e in m["notebooks"] if e["name"] not in skipped)
    front = {r["kpi"]: r for r in m["front_page"]}
    assert front["complaints"]["missing"] == {"table": "tickets", "columns": ["is_complaint"]}
    assert front["sla"]["missing"]["columns"] == ["priority"] and front["sla"]["n"] == 0
    assert front["fcr"]["n"] > 0 and "missing" not in front["fcr"]  # agent_replies and reopened are there
    index = _page_text(out / "index.html")
    assert "実行せず：データに目標の試行（goals.csv）がありません" in index
    assert "計算していません：問い合わせ（tickets.csv）に is_complaint の列がありません" in index
    assert "not run" not in index and "not computed" not in index  # the reader's language only
    resolution = _page_text(out / "05b_resolution.html")  # the complaint rate is the resolution part's
    assert "計算していません（問い合わせデータに is_complaint の列がありません）" in resolution
    for page in ("05_support.html", "05b_resolution.html", "05c_capacity.html"):
        assert "件は、既知の顧客に結びついていません" in _page_text(out / page), page  # the unlinked tickets, said
    found = {(p.name, w) for p in out.glob("*.html") for w in SAMPLE_WORDS if w in _page_text(p)}
    assert not found, f"the sample shows through on other data: {sorted(found)}"


def test_the_default_period_leaves_out_a_month_the_data_has_only_just_entered(tmp_path):
    data = write_other(tmp_path / "data", sparse=True)
    assert _default_period(data, "month", None, None)[0] == "2029-10"
    tickets = pd.read_csv(data / "tickets.csv", dtype=str, keep_default_na=False)
    extra = tickets.tail(2).assign(ticket_id=["T9999998", "T9999999"], created_at="2029-11-02T10:00:00+09:00",
                                   first_response_at="", resolved_at="", status="open")
    pd.concat([tickets, extra]).to_csv(data / "tickets.csv", index=False)
    period, note = _default_period(data, "month", None, None)
    assert period == "2029-10"
    assert "2029-11 has records only up to 2029-11-02" in note["en"] and "2029-11" in note["ja"]
    assert _default_period(data, "quarter", None, None)[0] == "2029Q3"  # 2029Q4 has only just begun


def _one_month(rows: list[tuple]) -> csa.Dataset:
    customers = pd.DataFrame({"customer_id": ["a", "b"], "name": ["A", "B"],
                              "signup_date": pd.to_datetime(["2026-01-01"] * 2)})
    surveys = pd.DataFrame(rows, columns=["response_id", "customer_id", "score", "scale"])
    surveys = surveys.assign(survey="csat", touchpoint="helpdesk", ticket_id=None, comment=None,
                             responded_at=pd.Timestamp("2026-10-15 12:00", tz="Asia/Tokyo"))
    surveys["score"], surveys["scale"] = surveys["score"].astype("Int64"), surveys["scale"].astype("Int64")
    return csa.Dataset(customers=customers, surveys=surveys)


def test_csat_on_a_good_bad_scale_is_good_over_good_and_bad():
    # Zendesk's satisfaction: 2 = good, 1 = bad; three good, one bad, one blank (not answered)
    ds = _one_month([("r1", "a", 2, 2), ("r2", "a", 2, 2), ("r3", "b", 1, 2), ("r4", "b", 2, 2),
                     ("r5", None, None, 2)])
    r = csa.measure("csat", ds, period="2026-10")
    assert (r.n, r.value, r.excluded) == (4, 75.0, 1)
    assert r.value == csa.csat(pd.Series([2, 2, 1, 2]), scale=2, top=1).value  # the survey module agrees
    # beside 1–5 answers: each on its own scale (4–5 of 5 satisfied; good on 1–2)
    mixed = _one_month([("r1", "a", 2, 2), ("r2", "a", 1, 2), ("r3", "b", 5, None), ("r4", "b", 3, None)])
    assert csa.measure("csat", mixed, period="2026-10").value == 50.0
    # a good/bad answer above its scale is left out, not counted as satisfied
    bad = _one_month([("r1", "a", 2, 2), ("r2", "a", 5, 2)])
    r = csa.measure("csat", bad, period="2026-10")
    assert (r.n, r.value, r.excluded) == (1, 100.0, 1)


def test_nrr_is_the_start_cohort_and_reactivation_a_parameter():
    # start (September): x 100, y 100; October: x 120 (expansion 20), y gone (churn 100), z back at 50
    # (subscribed in July, absent in August and September: a reactivation), w new at 30
    subs = pd.DataFrame({"customer_id": ["z", "x", "y", "x", "z", "w"],
                         "month": pd.PeriodIndex(["2026-07", "2026-09", "2026-09", "2026-10", "2026-10", "2026-10"],
                                                 freq="M"),
                         "mrr": [50.0, 100, 100, 120, 50, 30]})
    customers = pd.DataFrame({"customer_id": list("xyzw"), "name": list("XYZW"),
                              "signup_date": pd.to_datetime(["2026-01-01"] * 4)})
    ds = csa.Dataset(customers=customers, subscriptions=subs)
    r = csa.measure("nrr", ds, period="2026-10")
    assert r.params["reactivation"] is False
    assert math.isclose(r.value, 100 * (200 + 20 - 0 - 100) / 200)  # (start + expansion − contraction − churn) ÷ start
    with_back = csa.measure("nrr", ds, period="2026-10", reactivation=True)
    assert math.isclose(with_back.value, 100 * (200 + 20 + 50 - 100) / 200)


def test_a_kpi_whose_column_the_export_lacks_is_not_computed(tmp_path):
    data = write_other(tmp_path / "data", sparse=True)
    ds = csa.load(data)
    assert {"handle_time_min", "is_complaint", "priority"} <= set(ds.sources["tickets"].absent_columns)
    for kpi, column in (("aht", "handle_time_min"), ("complaints", "is_complaint"), ("sla", "priority"),
                        ("quality", "quality_score")):
        for engine in ("pandas", "duckdb"):
            r = csa.measure(kpi, ds, period="2029-10", engine=engine)
            assert (r.n, r.missing) == (0, (column,)) and math.isnan(r.value)
    assert csa.measure("fcr", ds, period="2029-10", definition="zendesk").missing == ()
    unknown = ds.tickets["customer_id"].isna()
    assert unknown.sum() > 0  # tickets of no known customer are kept, and counted in the ticket KPIs
    october = ds.tickets["created_at"].dt.strftime("%Y-%m") == "2029-10"
    assert csa.measure("volume", ds, period="2029-10").n == int(october.sum())


def test_fcr_dated_by_solve_time_as_zendesk_does(sample_ds):
    t = sample_ds.tickets
    solved_oct = t[(t["status"] == "solved") & (t["resolved_at"].dt.strftime("%Y-%m") == "2026-10")]
    one_touch = (solved_oct["agent_replies"] <= 1) & ~solved_oct["reopened"].astype(bool)
    for engine in ("pandas", "duckdb"):
        r = csa.measure("fcr", sample_ds, period="2026-10", date_by="solved", engine=engine)
        assert r.n == len(solved_oct) and math.isclose(r.value, 100 * one_touch.mean())
        assert r.key == "fcr{date_by=solved,definition=one_touch}"
    default = csa.measure("fcr", sample_ds, period="2026-10")
    assert default.key == "fcr{definition=one_touch}" and default.n != len(solved_oct)  # by creation, as before
