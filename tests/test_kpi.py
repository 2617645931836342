"""The KPI catalogue: every KPI pinned to the metric modules' kernels (independent code), to hand
computations from its definition, and every engine to pandas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import csa
from csa import kpi as K
from csa.businesstime import BusinessCalendar
from csa.metrics import churn as C
from csa.metrics import ltv as LT
from csa.metrics import nps as N
from csa.metrics import support as SP
from csa.metrics import survey as SV
from csa.periods import period_of

CAL = BusinessCalendar(hours=("09:00", "18:00"), holidays="JP", closed="12-29..01-03", tz="Asia/Tokyo")


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


def _periods(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    return frame.assign(period=period_of(frame[col], "month"))


def _legacy(ds, kpi: str) -> pd.DataFrame:
    """The KPI per month from the metric modules (period, n, value, low, high)."""
    s, tk = ds.surveys, _periods(ds.tickets, "created_at")
    if kpi == "nps":
        t = N.nps_table(_periods(s[s["survey"] == "nps"], "responded_at"), "period")
        return t.rename(columns={"nps": "value"})
    if kpi in ("csat", "ces"):
        b = _periods(s[s["survey"] == kpi], "responded_at")
        t = SV.csat_table(b, "period") if kpi == "csat" else SV.ces_table(b, "period")
        return t.rename(columns={kpi: "value"})
    if kpi == "gcr":  # per customer who tried (article 000)
        counts = SV.gcr_counts(_periods(ds.goals, "started_at"), "period", unit="customer")
        return SV.gcr_stats(counts).rename(columns={"gcr": "value"})
    if kpi in ("frt", "resolution_time"):
        f = SP.first_response_time if kpi == "frt" else SP.resolution_time
        return f(tk, "period", clock="business", calendar=CAL).rename(columns={"mean": "value"})
    if kpi == "fcr":
        return SP.fcr_table(tk, "period")
    if kpi in ("completion", "abandonment", "complaints"):
        return getattr(SP, {"complaints": "complaint_table"}.get(kpi, f"{kpi}_table"))(tk, "period")
    if kpi in ("quality", "aht"):
        return getattr(SP, f"{kpi}_table")(tk, "period").rename(columns={"mean": "value"})
    if kpi == "volume":
        t = SP.volume_table(tk, "period")
        return t.assign(n=t["tickets"], value=t["tickets"].astype(float), low=np.nan, high=np.nan)
    if kpi == "sla":
        as_of = pd.concat([ds.tickets["created_at"], ds.tickets["first_response_at"]]).max()
        return SP.sla_table(tk, "period", calendar=CAL, as_of=as_of)
    if kpi == "cpi":
        t = SP.cpi(ds.tickets, ds.support_costs)
        return t.assign(n=t["tickets"], value=t["cpi"], low=np.nan, high=np.nan)
    rows = []
    months = pd.period_range(ds.subscriptions["month"].min() + 1, ds.subscriptions["month"].max(), freq="M")
    for m in months:
        if kpi == "ltv":  # article 002's formula per customer, the BCa bootstrap of the mean of the active ones
            c = LT.customer_ltv(ds.orders, ds.subscriptions, as_of=m, customers=ds.customers, by="plan")
            r = LT.value_by_group(c[c["active"]], "ltv").iloc[0]
            rows.append((m, r["n"], r["mean"], r["low"], r["high"]))
            continue
        if kpi in ("churn", "retention"):
            r = C.customer_churn(ds.subscriptions, str(m))
            v = (r.value, r.low, r.high) if kpi == "churn" else (100 - r.value, 100 - r.high, 100 - r.low)
        else:
            r = C.revenue_churn(ds.subscriptions, str(m))
            v = {"revenue_churn": (r.gross, r.gross_low, r.gross_high), "nrr": (r.nrr, r.nrr_low, r.nrr_high),
                 "grr": (r.grr, 100 - r.gross_high, 100 - r.gross_low)}[kpi]
        rows.append((m, r.n, *v))
    return pd.DataFrame(rows, columns=["period", "n", "value", "low", "high"])


def _close(a, b, rel: float = 1e-9) -> bool:
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


@pytest.mark.parametrize("kpi", list(K.KPIS))
def test_history_equals_the_metric_modules_in_every_month(ds, kpi):
    h = K.history(kpi, ds)
    ref = _legacy(ds, kpi)
    ref = ref[ref["period"].notna() & (ref["n"] > 0)].set_index("period")
    got = h[h["n"] > 0].set_index("period")
    assert list(got.index) == list(ref.index), kpi
    for per in ref.index:
        for col in ("n", "value", "low", "high"):
            assert _close(got.loc[per, col], ref.loc[per, col]), (kpi, str(per), col, got.loc[per, col],
                                                                   ref.loc[per, col])


def test_medians_equal_the_order_statistics_of_the_metric_module(ds):
    h = K.history("frt", ds, statistic="median")
    ref = SP.first_response_time(_periods(ds.tickets, "created_at"), "period", clock="business", calendar=CAL)
    ref = ref.set_index("period")
    for _, r in h[h["n"] > 0].iterrows():
        want = ref.loc[r["period"]]
        assert (_close(r["value"], want["median"]) and _close(r["low"], want["median_low"])
                and _close(r["high"], want["median_high"])), str(r["period"])


@pytest.mark.parametrize(("kpi", "params"), [
    ("nps", {"touchpoint": "relationship", "method": "wald"}), ("csat", {"top": 1, "touchpoint": "support_contact"}),
    ("ces", {"easy_end": "high", "boxes": 2}), ("gcr", {"unit": "attempt"}), ("gcr", {"goal": "setup"}),
    ("frt", {"clock": "calendar"}), ("fcr", {"definition": "zendesk"}), ("fcr", {"definition": "all_contacts"}),
    ("fcr", {"definition": "exactly_one"}), ("sla", {"targets": {"urgent": 2, "high": 8, "normal": 16, "low": 48}}),
    ("churn", {"same_period": "both"}), ("nrr", {"reactivation": False}), ("cpi", {"definition": "resolved"}),
    ("ltv", {"churn_by": "segment", "cap": 4.0, "churn_months": 6, "n_resamples": 500, "seed": 7}),
])
def test_parameters_reach_the_kernels(ds, kpi, params):
    r = K.measure(kpi, ds, period="2026-10", **params)
    tk = _periods(ds.tickets, "created_at")
    p10 = pd.Period("2026-10", "M")
    s = ds.surveys
    if kpi == "nps":
        b = s[(s["survey"] == "nps") & (s["touchpoint"] == "relationship")]
        ref = N.nps(b.loc[period_of(b["responded_at"]) == p10, "score"], method="wald")
    elif kpi == "csat":
        b = s[(s["survey"] == "csat") & (s["touchpoint"] == "support_contact")]
        ref = SV.csat(b.loc[period_of(b["responded_at"]) == p10, "score"], top=1)
    elif kpi == "ces":
        b = s[s["survey"] == "ces"]
        ref = SV.ces(b.loc[period_of(b["responded_at"]) == p10, "score"], easy_end="high", boxes=2)
    elif kpi == "gcr":
        g = _periods(ds.goals, "started_at")
        g = g[g["period"] == p10]
        if "goal" in params:
            g = g[g["goal"] == "setup"]
        c = SV.gcr_counts(g, unit=params.get("unit", "customer"))
        ref = SV.gcr_stats(c).rename(columns={"gcr": "value"}).iloc[0]
    elif kpi == "frt":
        ref = SP.first_response_time(tk[tk["period"] == p10]).rename(columns={"mean": "value"}).iloc[0]
    elif kpi == "fcr":
        ref = SP.fcr(tk[tk["period"] == p10], definition=params["definition"])
    elif kpi == "sla":
        as_of = pd.concat([ds.tickets["created_at"], ds.tickets["first_response_at"]]).max()
        tg = {k: 60 * v for k, v in params["targets"].items()}
        ref = SP.sla_table(tk[tk["period"] == p10], targets=tg, calendar=CAL, as_of=as_of).iloc[0]
    elif kpi == "churn":
        ref = C.customer_churn(ds.subscriptions, "2026-10", same_period="both")
    elif kpi == "nrr":
        rc = C.revenue_churn(ds.subscriptions, "2026-10", reactivation=False)
        ref = pd.Series({"value": rc.nrr, "low": rc.nrr_low, "high": rc.nrr_high, "n": rc.n})
    elif kpi == "ltv":
        c = LT.customer_ltv(ds.orders, ds.subscriptions, as_of="2026-10", customers=ds.customers, by="segment",
                            cap=4.0, churn_months=6)
        v = LT.value_by_group(c[c["active"]], "ltv", n_resamples=500, seed=7).iloc[0]
        ref = pd.Series({"value": v["mean"], "low": v["low"], "high": v["high"], "n": v["n"]})
    else:
        t = SP.cpi(ds.tickets, ds.support_costs, definition="resolved")
        t = t[t["period"] == p10].iloc[0]
        ref = pd.Series({"value": t["cpi"], "low": np.nan, "high": np.nan, "n": t["tickets"]})
    get = (lambda k: ref[k]) if isinstance(ref, pd.Series) else (lambda k: getattr(ref, k))
    for col in ("value", "low", "high", "n"):
        assert _close(getattr(r, col), get(col)), (kpi, col, getattr(r, col), get(col))
    assert r.params == K.KPIS[kpi].resolve(params)


def test_churn_counting_same_period_customers_in_the_numerator_only_has_no_interval(ds):
    r = K.measure("churn", ds, period="2026Q3", freq="quarter", same_period="include")
    ref = C.customer_churn(ds.subscriptions, "2026Q3", same_period="include")
    assert _close(r.value, ref.value) and math.isnan(r.low) and math.isnan(ref.low)
    prev = K.measure("churn", ds, period="2026Q2", freq="quarter", same_period="include")
    assert K.compare(r, prev)["p_value"] is None, "no test for a ratio that is not a proportion"


def test_quarters_and_fiscal_years(ds):
    q = K.measure("churn", ds, period="2026Q3", freq="quarter")
    ref = C.customer_churn(ds.subscriptions, "2026Q3")
    assert (q.n, q.row["churned"]) == (ref.n, ref.churned) and _close(q.value, ref.value)
    fy = K.measure("fcr", ds, period="FY2025", freq="fiscal_year")
    tk = ds.tickets.assign(period=period_of(ds.tickets["created_at"], "fiscal_year"))
    want = SP.fcr(tk[tk["period"] == pd.Period("2026", "Y-MAR")])
    assert (fy.n, fy.period) == (want.n, "FY2025") and _close(fy.value, want.value)


# ----------------------------------------------------------------------------- by hand

def _tiny_tickets() -> pd.DataFrame:
    ts = lambda x: pd.to_datetime(x).dt.tz_localize("Asia/Tokyo")
    return pd.DataFrame({
        "ticket_id": ["t1", "t2", "t3", "t4"], "customer_id": ["a", "a", "b", "b"],
        "created_at": ts(pd.Series(["2026-05-01 17:00", "2026-10-01 10:00", "2026-10-01 10:00", "2026-10-02 09:00"])),
        "first_response_at": ts(pd.Series(["2026-05-07 10:00", "2026-10-01 10:30", "2026-10-01 12:00", None])),
        "resolved_at": ts(pd.Series([None, "2026-10-01 11:00", None, None])),
        "status": ["open", "solved", "solved", "open"], "agent_replies": pd.array([0, 1, 3, 0], "Int64"),
        "reopened": pd.array([False, False, False, False], "boolean"), "priority": ["low", "high", "high", "low"],
        "team": ["x", "x", "y", "y"], "handle_time_min": [5.0, 10.0, 20.0, None],
        "quality_score": [None, 90.0, 70.0, None], "is_complaint": pd.array([False, True, False, False], "boolean"),
    })


def test_business_minutes_over_golden_week_by_hand():
    # created Friday 17:00 before Golden Week, answered the next Thursday 10:00: 60 + 60 business minutes
    tk = _tiny_tickets()
    r = K.measure("frt", {"tickets": tk, "customers": pd.DataFrame({"customer_id": ["a", "b"]})}, period="2026-05",
                  closed="")
    assert (r.n, r.value) == (1, 120.0)
    cal = K.measure("frt", {"tickets": tk, "customers": pd.DataFrame({"customer_id": ["a", "b"]})}, period="2026-05",
                    clock="calendar")
    assert cal.value == 8220.0


def test_ticket_kpis_by_hand():
    tk = _tiny_tickets()
    data = {"tickets": tk, "customers": pd.DataFrame({"customer_id": ["a", "b"], "segment": ["smb", "ent"]})}
    m = lambda k, **p: K.measure(k, data, period="2026-10", **p)
    # October: t2 (30 min, solved, 1 reply), t3 (120 min, solved, 3 replies), t4 (no reply yet)
    frt = m("frt", clock="calendar")
    assert (frt.n, frt.value, frt.excluded) == (2, 75.0, 1)
    fcr = m("fcr")
    assert (fcr.n, fcr.row["successes"], fcr.value) == (2, 1, 50.0)
    assert m("completion").value == pytest.approx(200 / 3)
    assert m("complaints").value == pytest.approx(100 / 3)
    assert (m("quality").value, m("quality").n) == (80.0, 2)
    assert (m("aht").value, m("aht").n) == (15.0, 2)  # t4 has no handle time
    assert m("volume").value == 3
    assert m("fcr", where={"segment": "ent"}).n == 1  # a customer attribute
    assert m("fcr", where={"team": "x"}).value == 100.0


def test_nps_by_hand():
    s = pd.DataFrame({"survey": "nps", "touchpoint": "web", "customer_id": "a",
                      "responded_at": pd.Timestamp("2026-10-05", tz="Asia/Tokyo"),
                      "score": pd.array([10, 9, 9, 10, 9, 8, 7, 8, 3, 6, None], "Int64")})
    r = K.measure("nps", {"surveys": s, "customers": pd.DataFrame({"customer_id": ["a"]})}, period="2026-10")
    assert (r.n, r.value, r.excluded) == (10, 30.0, 1)  # 5 promoters, 2 detractors of 10; the blank is left out
    assert (round(r.low, 1), round(r.high, 1)) == (-19.1, 65.2)  # adjusted Wald, the lesson's hand computation


def test_churn_and_revenue_by_hand():
    # ChartMogul's example: $100 start, x leaves ($10), y −$10, z +$10: gross 20 %, net 10 %
    subs = pd.DataFrame({"customer_id": list("xyzw") * 2, "mrr": [10.0, 20, 30, 40, 0, 10, 40, 40],
                         "month": ["2026-09"] * 4 + ["2026-10"] * 4})
    subs = subs[~((subs["customer_id"] == "x") & (subs["month"] == "2026-10"))]
    data = {"subscriptions": subs, "customers": pd.DataFrame({"customer_id": list("xyzw")})}
    m = lambda k, **p: K.measure(k, data, period="2026-10", **p)
    assert (m("churn").n, m("churn").value) == (4, 25.0)
    assert m("retention").value == 75.0
    assert (m("revenue_churn").value, m("nrr").value, m("grr").value) == (20.0, 90.0, 80.0)


def test_ltv_by_hand():
    # a: standard, subscribed Sep–Oct at 100 a month (margin 0.8) and an option of 50 (margin 0.5) in October;
    # b: standard, subscribed Sep only (lost in October); c: starter, Sep–Oct at 40 (margin 0.75)
    ts = lambda x: pd.to_datetime(pd.Series(x)).dt.tz_localize("Asia/Tokyo")
    orders = pd.DataFrame({"order_id": range(6), "customer_id": ["a", "a", "a", "b", "c", "c"],
                           "ordered_at": ts(["2026-09-01", "2026-10-01", "2026-10-20", "2026-09-01", "2026-09-01",
                                             "2026-10-01"]),
                           "amount": [100.0, 100.0, 50.0, 60.0, 40.0, 40.0],
                           "gross_margin": [0.8, 0.8, 0.5, 0.8, 0.75, 0.75]})
    subs = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"], "mrr": [100.0, 100.0, 60.0, 40.0, 40.0],
                         "month": ["2026-09", "2026-10", "2026-09", "2026-09", "2026-10"]})
    cust = pd.DataFrame({"customer_id": ["a", "b", "c"], "plan": ["standard", "standard", "starter"],
                         "segment": ["smb"] * 3})
    data = {"orders": orders, "subscriptions": subs, "customers": cust}
    r = K.measure("ltv", data, period="2026-10")
    # standard lost 1 of 2 in October: annual churn 1 − 0.5¹² ≈ 1, years = 1 ÷ 0.99976; starter lost none: 5 (cap)
    y_std = 1 / (1 - 0.5 ** 12)
    a = 250 / 3 * (200 * 0.8 + 25) / 250 * (3 / 2 * 12) * y_std  # avg purchase × margin × purchases a year × years
    c = 40 * 0.75 * 12 * 5.0
    assert r.n == 2 and r.value == pytest.approx((a + c) / 2) and r.low <= r.value <= r.high
    assert r.row["excluded"] == 0
    assert r.key == "ltv{cap=5,churn_by=plan,churn_months=12,n_resamples=2000,seed=0}"
    lower = K.measure("ltv", data, period="2026-10", cap=2.0)
    assert lower.value == pytest.approx((a + 40 * 0.75 * 12 * 2.0) / 2)
    with pytest.raises(ValueError, match=r"cap = 4\.2 is not one of"):
        K.measure("ltv", data, period="2026-10", cap=4.2)
    bad = orders.assign(gross_margin=[0.8, 0.8, 50.0, 0.8, 0.75, 0.75])
    with pytest.raises(ValueError, match="gross margin 0–1"):
        K.measure("ltv", {**data, "orders": bad}, period="2026-10")


def test_ltv_by_group_equals_the_ltv_notebooks_table(ds):
    c = LT.customer_ltv(ds.orders, ds.subscriptions, as_of="2026-10", customers=ds.customers)
    c = c.merge(ds.customers[["customer_id", "segment"]], on="customer_id", how="left")
    want = LT.value_by_group(c[c["active"]], "ltv", "segment").set_index("segment")
    got = K.table("ltv", ds, by="segment", period="2026-10").set_index("segment")
    assert list(got.index) == list(want.index)
    for col, ref in (("n", "n"), ("value", "mean"), ("low", "low"), ("high", "high"), ("median", "median"),
                     ("share", "share"), ("share_n", "share_n")):
        for g in want.index:
            assert _close(got.loc[g, col], want.loc[g, ref]), (g, col)


def test_result_shape_and_errors(ds):
    r = K.measure("nps", ds, period="2026-10")
    assert {"kpi", "value", "low", "high", "n", "params", "level", "engine"} <= set(r.__dataclass_fields__)
    assert r.key == "nps{method=adjusted-wald}"
    with pytest.raises(ValueError, match="no parameter 'rule'"):
        K.measure("fcr", ds, period="2026-10", rule="x")
    with pytest.raises(ValueError, match="not one of"):
        K.measure("fcr", ds, period="2026-10", definition="fast")
    with pytest.raises(KeyError, match="no KPI 'ftr'"):
        K.measure("ftr", ds, period="2026-10")
    with pytest.raises(ValueError, match="'where' names the column 'planet'"):
        K.measure("fcr", ds, period="2026-10", where={"planet": "mars"})
    empty = K.measure("fcr", ds, period="2030-01")
    assert empty.n == 0 and math.isnan(empty.value)


def test_missing_table_is_a_clear_error(ds):
    data = {"customers": ds.customers, "tickets": ds.tickets}
    with pytest.raises(csa.DataError, match="support_costs table is missing"):
        K.measure("cpi", data, period="2026-10")


def test_compare_matches_the_statistics_module(ds):
    a, b = (K.measure("nps", ds, period=p) for p in ("2026-10", "2026-09"))
    c = K.compare(a, b)
    d = csa.stats.diff_nps(a.row["promoters"], a.row["detractors"], a.n, b.row["promoters"], b.row["detractors"],
                           b.n)
    assert c["vs"] == "2026-09" and _close(c["diff"], d.diff) and _close(c["p_value"], d.p_value)
    with pytest.raises(ValueError, match="same KPI"):
        K.compare(a, K.measure("nps", ds, period="2026-09", method="wald"))


# ----------------------------------------------------------------------------- engines

def _same(a: K.Result, b: K.Result) -> bool:
    return a.n == b.n and all(_close(getattr(a, c), getattr(b, c)) for c in ("value", "low", "high"))


@pytest.fixture(scope="module")
def duck(ds):
    return K.open_tables(ds, engine="duckdb")


@pytest.mark.parametrize("kpi", list(K.KPIS))
def test_duckdb_gives_the_pandas_result_for_the_last_month(ds, duck, kpi):
    params = {"statistic": "median"} if kpi in ("frt", "resolution_time") else {}
    a = K.measure(kpi, ds, period="2026-10", **params)
    b = K.measure(kpi, duck, period="2026-10", engine="duckdb", **params)
    assert b.engine == "duckdb" and _same(a, b), (kpi, a, b)


@pytest.mark.parametrize(("kpi", "params"), [("frt", {"clock": "calendar"}),
                                             ("resolution_time", {"clock": "calendar", "statistic": "median"}),
                                             ("sla", {"clock": "calendar"})])
def test_duckdb_gives_the_pandas_result_on_the_calendar_clock(ds, duck, kpi, params):
    a = K.measure(kpi, ds, period="2026-10", **params)
    b = K.measure(kpi, duck, period="2026-10", engine="duckdb", **params)
    assert _same(a, b), (kpi, a, b)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_time_zone_with_daylight_saving(engine):
    # New York moved its clocks forward on 2026-03-08: Saturday 10:00 to Monday 10:00 is 47 hours, not 48;
    # and a zone name with an underscore (narwhals cannot read it from a pandas dtype) still works
    tz = "America/New_York"
    tk = _tiny_tickets().iloc[:2].assign(
        created_at=pd.to_datetime(["2026-03-07 10:00", "2026-03-31 23:30"]).tz_localize(tz),
        first_response_at=pd.to_datetime(["2026-03-09 10:00", None]).tz_localize(tz))
    data = {"tickets": tk, "customers": pd.DataFrame({"customer_id": ["a", "b"]})}
    if engine == "duckdb":
        con = csa.engines.connect(tz=tz)
        data = {k: con.from_df(v) for k, v in data.items()}
    t = K.open_tables(data, engine=engine, tz=tz)
    r = K.measure("frt", t, period="2026-03", clock="calendar", engine=engine)
    assert (r.n, r.value) == (1, SP.elapsed_minutes(tk, end="first_response_at").iloc[0]) == (1, 47 * 60)
    assert K.measure("volume", t, period="2026-03", engine=engine).value == 2  # 23:30 local is in March


def test_duckdb_reads_a_folder_of_exports_in_place(ds):
    a = K.measure("sla", ds, period="2026-10")
    b = K.measure("sla", csa.datasets.sample_dir(), period="2026-10", engine="duckdb")
    assert _same(a, b)
    t = K.open_tables(csa.datasets.sample_dir(), engine="duckdb")
    assert type(t.natives["tickets"]).__name__ == "DuckDBPyRelation"


def test_a_sections_headline_on_duckdb_counts_duckdb_relations(ds, monkeypatch):
    # what `csa report --engine duckdb` does in each section: the headline opens the loaded data as
    # DuckDB relations, and the kernel counts them there; only the small counts table comes back
    from csa.views.common import Periods, headline

    opened, open_tables = [], K.open_tables

    def spy(data, **kw):
        opened.append(open_tables(data, **kw))
        return opened[-1]

    monkeypatch.setattr(K, "open_tables", spy)
    P = Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M"))
    h = headline("fcr", ds, P, section="resolution", engine="duckdb")
    assert {type(v).__name__ for t in opened for v in t.natives.values()} == {"DuckDBPyRelation"}
    assert h.record["engine"] == "duckdb" and _same(h.this, K.measure("fcr", ds, period="2026-10"))


@pytest.fixture(scope="module")
def spark_tables(ds):
    pytest.importorskip("pyspark")
    try:
        from csa.engines import spark_session

        spark = spark_session(cores=2)
    except RuntimeError as exc:  # no Java
        pytest.skip(str(exc))
    return K.open_tables(ds, engine="spark", spark=spark)


@pytest.mark.slow
@pytest.mark.parametrize("kpi", list(K.KPIS))
def test_spark_gives_the_pandas_result_for_the_last_month(ds, spark_tables, kpi):
    params = {"statistic": "median"} if kpi == "frt" else {}
    a = K.measure(kpi, ds, period="2026-10", **params)
    b = K.measure(kpi, spark_tables, period="2026-10", engine="spark", **params)
    assert b.engine == "spark" and _same(a, b), (kpi, a, b)
