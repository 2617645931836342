"""Support KPIs: hand computations on a handful of tickets (across a weekend and public holidays), the FCR
definitions and their sources, intervals against independent implementations, CPI on a hand-made cost
table; then the support lesson's three notebooks (05_support, 05b_resolution, 05c_capacity) under papermill,
their headline records against an independent pandas computation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from csa.businesstime import BusinessCalendar, closed_dates, holiday_dates
from csa.metrics import support as M

from . import helpers

TZ = "Asia/Tokyo"


def ts(*texts):
    return pd.to_datetime(list(texts)).tz_localize(TZ)


@pytest.fixture
def hand():
    """Six tickets worked out by hand (09:00–18:00, Japanese holidays).

    ====  ================  ================  =========  =======  ========  =====  ==============
    id    created           first response    calendar   business status    repl.  reopened
    ====  ================  ================  =========  =======  ========  =====  ==============
    T1    Thu 10-01 10:00   Thu 10-01 10:30   30         30       solved    1      no
    T2    Fri 10-09 17:00   Tue 10-13 10:00   5,340      120      solved    2      no   (weekend + Sports Day)
    T3    Fri 05-01 17:30   Thu 05-07 09:45   8,175      75       solved    1      yes  (Golden Week)
    T4    Sat 05-09 11:00   Mon 05-11 09:20   2,780      20       solved    0      no   (created on a Saturday)
    T5    Thu 10-01 19:30   Thu 10-01 19:45   15         0        abandoned 1      no   (after hours)
    T6    Thu 10-01 11:00   (none)            —          —        open      0      no
    ====  ================  ================  =========  =======  ========  =====  ==============
    """
    return pd.DataFrame({
        "ticket_id": [f"T{i}" for i in range(1, 7)],
        "channel": ["email", "email", "chat", "web_form", "phone", "email"],
        "team": ["a", "a", "b", "b", "a", "b"],
        "priority": ["normal", "high", "urgent", "low", "normal", "high"],
        "created_at": ts("2026-10-01 10:00", "2026-10-09 17:00", "2026-05-01 17:30", "2026-05-09 11:00",
                         "2026-10-01 19:30", "2026-10-01 11:00"),
        "first_response_at": ts("2026-10-01 10:30", "2026-10-13 10:00", "2026-05-07 09:45", "2026-05-11 09:20",
                                "2026-10-01 19:45", None),
        "resolved_at": ts("2026-10-01 12:00", "2026-10-14 09:00", "2026-05-07 12:00", "2026-05-11 10:00", None,
                          None),
        "status": ["solved", "solved", "solved", "solved", "abandoned", "open"],
        "agent_replies": pd.array([1, 2, 1, 0, 1, 0], dtype="Int64"),
        "reopened": pd.array([False, False, True, False, False, False], dtype="boolean"),
        "handle_time_min": [10.0, 20.0, 12.0, 3.0, 5.0, 0.0],
        "quality_score": [80.0, np.nan, 90.0, np.nan, np.nan, np.nan],
        "is_complaint": pd.array([False, True, False, False, False, False], dtype="boolean"),
    })


# ------------------------------------------------------------------ time KPIs

def test_first_response_time_on_both_clocks(hand):
    cal = M.elapsed_minutes(hand, end="first_response_at")
    bus = M.elapsed_minutes(hand, end="first_response_at", clock="business")
    np.testing.assert_allclose(cal[:5], [30, 5340, 8175, 2780, 15])
    np.testing.assert_allclose(bus[:5], [30, 120, 75, 20, 0])
    assert cal.isna().tolist()[5] and bus.isna().tolist()[5]
    r = M.first_response_time(hand, clock="business").iloc[0]
    assert (r["n"], r["excluded"]) == (5, 1)  # T6 has no response yet
    assert r["mean"] == pytest.approx((30 + 120 + 75 + 20 + 0) / 5) and r["median"] == 30
    by = M.first_response_time(hand, "team", clock="calendar").set_index("team")
    assert by.loc["a", "median"] == 30 and by.loc["b", "mean"] == pytest.approx((8175 + 2780) / 2)


def test_business_clock_uses_the_calendar_given(hand):
    closed = BusinessCalendar(closed="10-13")  # a company closing day on the Tuesday T2 was answered
    assert M.elapsed_minutes(hand, end="first_response_at", clock="business", calendar=closed)[1] == 60  # Fri 17–18
    none = BusinessCalendar(holidays=None)  # without public holidays, Monday 12 October (Sports Day) counts
    assert M.elapsed_minutes(hand, end="first_response_at", clock="business", calendar=none)[1] == 60 + 540 + 60


def test_resolution_time_counts_solved_tickets_only(hand):
    r = M.resolution_time(hand).iloc[0]
    assert (r["n"], r["excluded"]) == (4, 2)
    # calendar minutes: T1 2 h = 120; T2 Fri 17:00 → Wed 09:00 = 112 h = 6,720; T3 Fri 17:30 → Thu 12:00 =
    # 138.5 h = 8,310; T4 Sat 11:00 → Mon 10:00 = 47 h = 2,820
    assert r["mean"] == pytest.approx((120 + 6720 + 8310 + 2820) / 4)
    b = M.resolution_time(hand, clock="business").iloc[0]
    # business: 120; Fri 60 + Tue 540 + Wed 0 (09:00) = 600; Fri 30 + Thu 180 = 210; Mon 60
    assert b["mean"] == pytest.approx((120 + 600 + 210 + 60) / 4)


def test_mean_and_median_intervals_match_scipy():
    rng = np.random.default_rng(3)
    x = rng.lognormal(3, 1, 57)
    r = M.mean_table(pd.DataFrame({"x": x}), "x", level=0.9).iloc[0]
    lo, hi = st.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=st.sem(x))
    assert (r["low"], r["high"]) == (pytest.approx(lo), pytest.approx(hi))
    ci = st.quantile_test(x, q=np.median(x), p=0.5).confidence_interval(0.9)
    assert (r["median"], r["median_low"], r["median_high"]) == (np.median(x), ci.low, ci.high)
    for n in range(1, 40):
        ci = st.quantile_test(np.arange(n, dtype=float), q=0, p=0.5).confidence_interval(0.95)
        r_, u_ = M.median_ranks([n])
        if np.isnan(ci.low):
            assert r_[0] == 0
        else:
            assert (r_[0] - 1, u_[0] - 1) == (ci.low, ci.high)


def test_groups_keep_their_order_and_small_groups_are_flagged(hand):
    out = M.mean_table(hand, "handle_time_min", "channel", min_n=2)
    assert out["channel"].tolist() == ["chat", "email", "phone", "web_form"]
    assert out["small_n"].tolist() == [True, False, True, True]


def test_aht_leaves_out_tickets_nobody_worked_on(hand):
    r = M.aht_table(hand).iloc[0]
    assert (r["n"], r["excluded"], r["mean"]) == (5, 1, pytest.approx((10 + 20 + 12 + 3 + 5) / 5))
    assert M.aht_table(hand, handled=None).iloc[0]["n"] == 6


# ------------------------------------------------------------------ FCR

def test_fcr_definitions_by_hand(hand):
    # solved: T1 (1 reply), T2 (2), T3 (1, reopened), T4 (0); T5 abandoned, T6 open
    expected = {"one_touch": (2, 4),      # T1, T4
                "zendesk": (3, 4),        # T1, T3, T4: fewer than 2 replies, reopening ignored
                "exactly_one": (2, 4),    # T1, T3
                "all_contacts": (2, 6)}   # T1, T4 over all six tickets
    for d, (x, n) in expected.items():
        r = M.fcr(hand, definition=d)
        assert (r.successes, r.n, r.value) == (x, n, pytest.approx(100 * x / n)), d
    side = M.fcr_definitions(hand)
    assert side["definition"].tolist() == list(M.FCR_DEFINITIONS)
    assert side["successes"].tolist() == [2, 3, 2, 2]


def test_fcr_definitions_cite_their_sources():
    assert set(M.FCR_DEFINITIONS) == set(M.FCR_SOURCES) == {"one_touch", "zendesk", "exactly_one", "all_contacts"}
    assert "4408820618266" in M.FCR_SOURCES["zendesk"] and "< 2" in M.FCR_SOURCES["zendesk"]
    assert "exactly one" in M.FCR_SOURCES["exactly_one"]
    assert "data/README.md" in M.FCR_SOURCES["one_touch"]
    doc = M.fcr.__doc__
    assert all(d in doc for d in M.FCR_DEFINITIONS) and "4408820618266" in doc


def test_fcr_interval_is_wilson_like_statsmodels(hand):
    from statsmodels.stats.proportion import proportion_confint

    r = M.fcr(hand, definition="zendesk", level=0.9)
    lo, hi = proportion_confint(3, 4, alpha=0.1, method="wilson")
    assert (r.low, r.high) == (pytest.approx(100 * lo), pytest.approx(100 * hi))
    assert str(r).startswith("FCR 75.0 % (90% interval")


def test_fcr_missing_values_are_counted_not_dropped(hand):
    h = hand.copy()
    h.loc[0, "agent_replies"] = pd.NA
    r = M.fcr(h)
    assert (r.n, r.successes, r.excluded) == (3, 1, 3)
    with pytest.raises(ValueError, match="definition must be one of"):
        M.fcr(hand, definition="first_time")
    with pytest.raises(KeyError, match="the columns are"):
        M.fcr(hand.drop(columns="reopened"))
    assert M.fcr(hand.drop(columns="reopened"), definition="zendesk").n == 4  # zendesk ignores reopening


def test_fcr_by_group(hand):
    out = M.fcr_table(hand, "team", definition="one_touch").set_index("team")
    assert out.loc["a", ["n", "successes"]].tolist() == [2, 1] and out.loc["b", ["n", "successes"]].tolist() == [2, 1]


# ------------------------------------------------------------------ other rates

def test_completion_abandonment_complaints(hand):
    c = M.completion_table(hand).iloc[0]
    assert (c["n"], c["successes"], c["value"]) == (6, 4, pytest.approx(100 * 4 / 6))
    a = M.abandonment_table(hand, "channel").set_index("channel")
    assert a.loc["phone", ["n", "successes"]].tolist() == [1, 1] and a.loc["email", "successes"] == 0
    k = M.complaint_table(hand).iloc[0]
    assert (k["n"], k["successes"]) == (6, 1)


def test_short_abandons_follow_talkdesk_and_need_a_wait_time(hand):
    h = hand.assign(wait_s=[0, 0, 0, 0, 3, 0])
    r = M.abandonment_table(h, wait="wait_s", short_abandon=5).iloc[0]
    # Talkdesk: abandoned / (inbound − short abandoned) = 0 / (6 − 1)
    assert (r["n"], r["successes"], r["short_abandons"], r["excluded"]) == (5, 0, 1, 0)
    assert M.abandonment_table(h, wait="wait_s", short_abandon=2).iloc[0]["successes"] == 1
    with pytest.raises(ValueError, match="no such column"):
        M.abandonment_table(hand, short_abandon=5)


def test_quality_counts_reviews(hand):
    q = M.quality_table(hand, "team").set_index("team")
    assert q.loc["a", ["n", "tickets", "mean"]].tolist() == [1, 3, 80.0]
    assert q.loc["b", "pct_reviewed"] == pytest.approx(100 / 3)
    assert np.isnan(q.loc["a", "low"])  # one review: no interval


def test_sla_in_business_hours_with_pending_and_breached(hand):
    targets = {"urgent": 60, "high": 240, "normal": 480, "low": 1440}
    # business minutes: T1 30 ≤ 480 met; T2 120 ≤ 240 met; T3 75 > 60 breached; T4 20 ≤ 1440 met;
    # T5 0 ≤ 480 met; T6 (high) no response: as of Thu 10-01 15:00 it has waited 240 → not past 240: pending
    r = M.sla_table(hand, targets=targets, as_of=pd.Timestamp("2026-10-01 15:00", tz=TZ)).iloc[0]
    assert (r["n"], r["successes"], r["pending"], r["excluded"]) == (5, 4, 1, 1)
    r = M.sla_table(hand, targets=targets, as_of=pd.Timestamp("2026-10-01 15:01", tz=TZ)).iloc[0]
    assert (r["n"], r["successes"], r["pending"]) == (6, 4, 0)  # T6 now breached
    cal = M.sla_table(hand, targets=targets, clock="calendar", as_of=pd.Timestamp("2026-10-02", tz=TZ)).iloc[0]
    # calendar: T1 30 and T5 15 met; T2 5,340 > 240, T3 8,175 > 60, T4 2,780 > 1,440 breached; T6 has waited
    # 13 h > 4 h by 10-02 00:00: breached
    assert (cal["n"], cal["successes"]) == (6, 2)
    with pytest.raises(ValueError, match="no SLA target for priority 'low'"):
        M.sla_table(hand, targets={"urgent": 60, "high": 240, "normal": 480})


def test_volume_and_weekday_hour(hand):
    v = M.volume_table(hand, "channel").set_index("channel")
    assert v.loc["email", "tickets"] == 3 and v["share"].sum() == pytest.approx(100)
    w = M.weekday_hour(hand)
    assert w.shape == (7, 24) and w.to_numpy().sum() == 6
    assert w.loc[3, 10] == 1 and w.loc[3, 19] == 1 and w.loc[5, 11] == 1  # Thu 10h, Thu 19h, Sat 11h
    oct_ = hand[hand["created_at"].dt.month == 10]
    per = M.weekday_hour(oct_, per_day=True, first="2026-10-01", last="2026-10-31")
    assert per.loc[3, 10] == pytest.approx(1 / 5)  # five Thursdays in October 2026


# ------------------------------------------------------------------ CPI

@pytest.fixture
def costs():
    """Support cost per month and team, by hand (JPY)."""
    return pd.DataFrame({"month": ["2026-05", "2026-05", "2026-10", "2026-10", "2026-10"],
                         "team": ["a", "b", "a", "b", None],
                         "amount": [100_000, 200_000, 300_000, 150_000, 60_000]})


def test_cpi_both_definitions(hand, costs):
    allt = M.cpi(hand, costs).set_index("period")
    # October: cost 510,000; tickets created 4 (T1, T2, T5, T6); May: 300,000 over 2 (T3, T4)
    assert allt.loc[pd.Period("2026-10", "M"), ["cost", "tickets", "cpi"]].tolist() == [510_000, 4, 127_500]
    assert allt.loc[pd.Period("2026-05", "M"), "cpi"] == 150_000
    res = M.cpi(hand, costs, definition="resolved").set_index("period")
    # resolved in October: T1, T2 (14 Oct); in May: T3, T4
    assert res.loc[pd.Period("2026-10", "M"), ["tickets", "cpi"]].tolist() == [2, 255_000]


def test_cpi_by_team_leaves_unallocated_costs_out(hand, costs):
    t = M.cpi(hand, costs, by="team").set_index(["period", "team"])
    assert t.loc[(pd.Period("2026-10", "M"), "a"), ["cost", "tickets", "cpi"]].tolist() == [300_000, 3, 100_000]
    assert t.loc[(pd.Period("2026-10", "M"), "b"), "cpi"] == 150_000


def test_cpi_per_quarter_and_fiscal_year(hand, costs):
    q = M.cpi(hand, costs, freq="Q-DEC").set_index("period")
    assert q.loc[pd.Period("2026Q4", "Q-DEC"), ["cost", "cost_months", "tickets"]].tolist() == [510_000, 1, 4]
    fy = M.cpi(hand, costs, freq="Y-MAR")
    assert fy["period"].tolist() == [pd.Period("2027", "Y-MAR")] and fy["cpi"].iloc[0] == 810_000 / 6


def test_cpi_without_costs_or_tickets_has_no_value(hand):
    c = pd.DataFrame({"month": ["2026-09"], "team": ["a"], "amount": [1000]})
    out = M.cpi(hand, c).set_index("period")
    assert out.loc[pd.Period("2026-09", "M"), "tickets"] == 0 and np.isnan(out.loc[pd.Period("2026-09", "M"), "cpi"])
    assert np.isnan(out.loc[pd.Period("2026-10", "M"), "cost"])  # tickets but no cost recorded: not zero


@pytest.mark.parametrize("frame,match", [
    (pd.DataFrame({"month": ["2026-10", "2026-10"], "team": ["a", "a"], "amount": [1, 2]}), "same month and team"),
    (pd.DataFrame({"month": ["2026-10"], "team": ["a"], "amount": [-5]}), ">= 0"),
    (pd.DataFrame({"month": ["October"], "team": ["a"], "amount": [5]}), "months like"),
    (pd.DataFrame({"period": ["2026-10"], "amount": [5]}), "not found"),
])
def test_cpi_refuses_bad_costs(hand, frame, match):
    with pytest.raises((ValueError, KeyError), match=match):
        M.cpi(hand, frame)


def test_cpi_column_keywords(hand):
    c = pd.DataFrame({"月": ["2026-10"], "費用": [40_000]})
    assert M.cpi(hand, c, month="月", amount="費用")["cpi"].iloc[-1] == 10_000


# ------------------------------------------------------------------ independent reference for the notebook

def naive_business_minutes(start, end, closed: str) -> float:
    """Day by day in plain Python, 09:00–18:00, Japanese holidays and the closing days (wall-clock Tokyo)."""
    if pd.isna(start) or pd.isna(end):
        return float("nan")
    s, e = (x.tz_convert(TZ).tz_localize(None).to_pydatetime() for x in (start, end))
    years = range(s.year - 1, e.year + 2)
    off = set(holiday_dates("JP", years)) | set(closed_dates(closed, years).astype(dt.date))
    total, day = 0.0, s.date()
    while day <= e.date():
        if day.weekday() < 5 and day not in off:
            a, b = max(s, dt.datetime.combine(day, dt.time(9))), min(e, dt.datetime.combine(day, dt.time(18)))
            total += max((b - a).total_seconds(), 0) / 60
        day += dt.timedelta(days=1)
    return total


def test_naive_reference_agrees_with_the_hand_table(hand):
    got = [naive_business_minutes(a, b, "") for a, b in zip(hand["created_at"], hand["first_response_at"])]
    np.testing.assert_allclose(got, [30, 120, 75, 20, 0, np.nan])


# ------------------------------------------------------------------ the notebook (papermill)

@pytest.fixture(scope="module")
def sample(sample_ds):
    return sample_ds  # the bundled sample, loaded once per session (tests/conftest.py); read only


def _expected(ds, period="2026-10", closed="12-29..01-03"):
    t = ds.tickets
    month = t["created_at"].dt.tz_localize(None).dt.to_period("M")
    now = t[month == pd.Period(period, "M")]
    frt = [naive_business_minutes(a, b, closed) for a, b in zip(now["created_at"], now["first_response_at"])]
    frt = pd.Series(frt, index=now.index)
    solved = now[now["status"] == "solved"]
    fcr = ((solved["agent_replies"] <= 1) & ~solved["reopened"].astype(bool)).mean() * 100
    target = now["priority"].map({"urgent": 60, "high": 240, "normal": 480, "low": 1440})
    as_of = max(t["created_at"].max(), t["first_response_at"].max())
    so_far = pd.Series([naive_business_minutes(a, as_of, closed) for a in now["created_at"]], index=now.index)
    answered = frt.notna()
    breached_open = ~answered & (so_far > target)
    measured = answered | breached_open
    sla = 100 * ((frt <= target) & answered).sum() / measured.sum()
    complaints = 100 * now["is_complaint"].astype(bool).mean()
    s = ds.surveys
    s = s[(s["survey"] == "csat") & (s["touchpoint"] == "support_contact")]
    s = s[s["responded_at"].dt.tz_localize(None).dt.to_period("M") == pd.Period(period, "M")]
    return {"frt": (frt.mean(), int(answered.sum())), "fcr": (fcr, len(solved)), "sla": (sla, int(measured.sum())),
            "complaints": (complaints, len(now)), "csat": (100 * (s["score"] >= 4).mean(), len(s))}


#: the support lesson's parts: notebook → (its id, the KPIs it publishes, in order)
PARTS = {"05_support.ipynb": ("support", ("frt", "sla")),
         "05b_resolution.ipynb": ("resolution", ("fcr", "complaints")),
         "05c_capacity.ipynb": ("capacity", ("volume", "cpi"))}


def _run(run_notebook, notebook="05_support.ipynb", **params):
    nb = run_notebook(notebook, **params)
    return {r["kpi"]: r for r in helpers.records(nb)}, "\n".join(helpers.markdown(nb))


def _check(recs, exp, notebook):
    section, published = PARTS[notebook]
    assert list(recs) == [k for k in published if k in exp], notebook  # each KPI once, by its part
    for kpi in recs:
        value, n = exp[kpi]
        assert recs[kpi]["period"] == "2026-10" and recs[kpi]["section"] == section, kpi
        assert recs[kpi]["n"] == n, kpi
        assert recs[kpi]["value"] == pytest.approx(value, abs=1e-9), kpi


@pytest.mark.slow
@helpers.same_run("05_support.ipynb")  # three tests read the run with the defaults: it runs once
def test_response_times_part_matches_an_independent_computation(run_notebook, sample):
    from csa import numbers as num

    recs, text = _run(run_notebook)
    _check(recs, _expected(sample), "05_support.ipynb")
    assert recs["frt"]["unit"] == "minutes" and recs["frt"]["direction"] == "lower"
    frt = recs["frt"]
    assert f"**First response time (FRT; mean, business hours): {num.value(frt['value'], 'minutes')}** (95% " \
           f"interval {num.value(frt['low'], 'minutes')} to {num.value(frt['high'], 'minutes')}); " \
           f"n = {frt['n']:,} tickets answered." in text
    assert "missed their first-response target" in text


@pytest.mark.slow
@helpers.same_run("05b_resolution.ipynb")
def test_resolution_part_matches_an_independent_computation(run_notebook, sample):
    recs, text = _run(run_notebook, "05b_resolution.ipynb")
    exp = _expected(sample)
    csat = exp.pop("csat")  # shown, but published once, by the CSAT section: the same figure
    assert "csat" not in recs and f"{csat[0]:.1f}%" in text
    _check(recs, exp, "05b_resolution.ipynb")
    assert re.search(r"On the same tickets, FCR ranges from \*\*\d+\.\d%\*\*", text)
    assert "Times use" not in text, "no time KPI on this page: no clock said"


@pytest.mark.slow
@helpers.same_run("05c_capacity.ipynb")
def test_capacity_part_matches_an_independent_computation(run_notebook, sample):
    recs, text = _run(run_notebook, "05c_capacity.ipynb")
    t = sample.tickets
    month = t["created_at"].dt.tz_localize(None).dt.to_period("M") == pd.Period("2026-10", "M")
    exp = {"volume": (float(month.sum()), int(month.sum()))}
    costs = getattr(sample, "support_costs", None)
    if costs is None:  # no cost table: the notebook says so and publishes no CPI
        assert "CPI needs a `support_costs` table" in text
    else:  # CPI = the month's costs ÷ the tickets created in it (MetricNet/HDI)
        in_month = costs["month"].astype(str).str[:7] == "2026-10"
        exp["cpi"] = (costs.loc[in_month, "amount"].sum() / month.sum(), int(month.sum()))
    _check(recs, exp, "05c_capacity.ipynb")
    assert recs["volume"]["unit"] == "count" and recs["volume"]["low"] is None
    assert f"**Inquiry volume: {int(month.sum()):,}** (tickets created in the period)" in text
    assert "**Osaka**, the 3 months before 2026-04" in text


@pytest.mark.slow
@pytest.mark.parametrize("notebook", [pytest.param(nb, marks=helpers.same_run(nb)) for nb in PARTS])
def test_published_records_are_the_catalogues_and_the_registrys(run_notebook, sample, notebook):
    """Each record is csa.measure with the record's parameters and names its part, the catalogue's section of the
    KPI; with the default parameters the keys of the example registry's entries, so that the front page takes
    these figures from these sections."""
    import csa
    from csa import registry

    recs, _ = _run(run_notebook, notebook)
    reg = registry.load(registry.example_path())
    for kpi, rec in recs.items():
        assert rec["kpi"] == kpi and rec["engine"] == "pandas" and rec["where"] == {}
        assert rec["section"] == csa.KPIS[kpi].section == PARTS[notebook][0], kpi
        r = csa.measure(kpi, sample, period=rec["period"], **rec["params"])
        assert r.params == rec["params"] and rec["n"] == r.n, kpi  # (JSON gives the SLA targets sorted)
        assert (rec["value"], rec["low"], rec["high"]) == pytest.approx(
            (r.value, None if np.isnan(r.low) else r.low, None if np.isnan(r.high) else r.high), nan_ok=True), kpi
        if kpi in {e.measure for e in reg.entries}:
            assert rec["key"] == reg.entry(kpi).key, kpi
    if "frt" in recs:
        assert recs["frt"]["params"]["statistic"] == "mean"
    if "fcr" in recs:
        assert recs["fcr"]["params"]["definition"] == "one_touch"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", [pytest.param(nb, marks=helpers.same_run(nb)) for nb in PARTS])
def test_notebook_with_duckdb_shows_the_pandas_numbers(run_notebook, notebook):
    """engine="duckdb": the records say where they were counted and carry the pandas run's figures; every text and
    table the notebook shows is the pandas run's."""
    def shown(nb):
        return [o.get("text") or {k: v for k, v in o.get("data", {}).items() if not k.startswith("image/")
                                  and k != "application/vnd.csa.headline+json"}
                for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
                for o in c.get("outputs", [])]

    want_nb, got_nb = run_notebook(notebook), run_notebook(notebook, engine="duckdb")
    want, got = helpers.records(want_nb), helpers.records(got_nb)
    assert [r["key"] for r in got] == [r["key"] for r in want]
    for a, b in zip(want, got):
        assert b["engine"] == "duckdb" and a["engine"] == "pandas" and b["n"] == a["n"], a["kpi"]
        for k in ("value", "low", "high"):  # the same up to the order of the sums (CPI has no interval: None)
            assert b[k] == (None if a[k] is None else pytest.approx(a[k], rel=1e-12)), (a["kpi"], k)
    assert shown(got_nb) == shown(want_nb)


@pytest.mark.slow
def test_response_times_part_in_japanese_on_the_calendar_clock(run_notebook, sample):
    recs, text = _run(run_notebook, lang="ja", period="2026-04", business_clock="")
    assert recs["sla"]["period"] == "2026-04"
    assert recs["frt"]["title"]["ja"] == "初回応答時間（FRT・平均・暦時間）"
    assert "営業時間" not in recs["frt"]["title"]["ja"] and "暦時間" in text
    assert "Against" not in text and "Times use" not in text
    assert recs["frt"]["params"]["clock"] == recs["sla"]["params"]["clock"] == "calendar"
    t = sample.tickets
    now = t[t["created_at"].dt.tz_localize(None).dt.to_period("M") == pd.Period("2026-04", "M")]
    frt = (now["first_response_at"] - now["created_at"]).dt.total_seconds() / 60
    assert recs["frt"]["value"] == pytest.approx(frt.mean(), abs=1e-9)


@pytest.mark.slow
@helpers.same_run("05b_resolution.ipynb", lang="ja")  # the run test_notebooks makes in Japanese
def test_resolution_part_in_japanese(run_notebook):
    recs, text = _run(run_notebook, "05b_resolution.ipynb", lang="ja")
    assert recs["fcr"]["period"] == "2026-10" and recs["fcr"]["title"]["ja"].startswith("一次解決率（FCR")
    assert "定義の違いだけで" in text and "表紙には、CSATの節の主要指標" in text
    assert "Against" not in text and "ranges from" not in text


def test_each_part_publishes_its_own_kpis_once():
    """The parts show and publish the catalogue's ticket KPIs: each KPI published by one part only, the part the
    catalogue names as its section (the scorecard links a KPI to that page); every ticket KPI is taught by one."""
    import csa
    from csa import catalog
    from csa.views import support as V

    assert list(V.PARTS) == list(V.PUBLISHED) == [v[0] for v in PARTS.values()]
    assert [e.id for e in catalog.notebooks() if e.file.startswith("05")] == list(V.PARTS)
    published = [k for ks in V.PUBLISHED.values() for k in ks]
    assert len(published) == len(set(published)), "a KPI published twice: the front page would show it once"
    for part, kpis in V.PUBLISHED.items():
        assert set(kpis) <= set(V.PARTS[part])
        assert all(csa.KPIS[k].section == part for k in kpis), part
    tickets = [k for k in csa.KPIS.values() if k.table == "tickets"]
    assert {k.section for k in tickets} == set(V.PARTS)
    with pytest.raises(ValueError, match="part is one of support, resolution, capacity"):
        V.headlines({}, None, part="staffing")


def test_headlines_with_a_cost_table(sample):
    """The CPI headline with another support_costs table: the catalogue's cost ÷ tickets created."""
    from csa.views import support as V
    from csa.views.common import periods

    P = periods(sample.tickets["created_at"])
    months = pd.period_range("2026-01", "2026-10", freq="M").astype(str)
    costs = pd.DataFrame({"month": np.repeat(months, 3), "team": ["tokyo", "osaka", "fukuoka"] * len(months),
                          "amount": 1_000_000})
    tables = {"customers": sample.customers, "tickets": sample.tickets, "support_costs": costs}
    hl = V.headlines(tables, P, part="capacity")
    n_oct = int((sample.tickets["created_at"].dt.tz_localize(None).dt.to_period("M") == P.this).sum())
    assert hl["cpi"].this.n == n_oct and hl["cpi"].this.value == pytest.approx(3_000_000 / n_oct)
    assert hl["volume"].this.value == n_oct
    rec = {r["kpi"]: r for r in V.records(hl)}["cpi"]
    assert rec["unit"] == "JPY" and rec["low"] is None and rec["change"]["diff"] is not None
    assert rec["section"] == "capacity"
    assert "¥" in V.describe_kpis(hl, P) and "円" in V.describe_kpis(hl, P, lang="ja")
    assert "no sampling interval" in V.describe_kpis(hl, P) and "標本誤差の区間はありません" in \
        V.describe_kpis(hl, P, lang="ja")
    assert "csat" not in V.headlines(tables, P, part="resolution")  # no surveys among these tables
    assert "cpi" not in V.headlines({k: v for k, v in tables.items() if k != "support_costs"}, P, part="capacity")


def test_tables_are_the_catalogues(sample):
    """The section's tables of a KPI: the catalogue's, equal to the metric functions on the same tickets."""
    import csa
    from csa.views import support as V

    cal, _ = V.business_clock("09:00-18:00, JP, 12-29..01-03")
    tk = V.tickets(sample, calendar=cal)
    now = tk[tk["period"] == pd.Period("2026-10", "M")]
    got = V.time_table("frt", sample, "channel", period="2026-10", **V.clock_params("09:00-18:00, JP, 12-29..01-03"))
    want = M.mean_table(now, "frt_business_min", "channel")
    cols = ["n", "mean", "low", "high", "median", "median_low", "median_high"]
    pd.testing.assert_frame_equal(got[cols], want[cols], check_dtype=False, atol=1e-9)
    side = V.fcr_side_by_side(sample, "2026-10")
    for row in side.itertuples():
        r = csa.measure("fcr", sample, period="2026-10", definition=row.definition)
        assert (row.n, row.value, row.low, row.high) == (r.n, r.value, r.low, r.high)
    assert side.set_index("definition").loc["one_touch", "successes"] == 694
    clocks = V.clock_comparison(sample, "channel", period="2026-10", clock={"clock": "calendar"})
    assert clocks["median_business"].tolist() == pytest.approx(want["median"].tolist())
    duck = V.clock_comparison(sample, "channel", period="2026-10", engine="duckdb")  # the calendar half in pandas
    pd.testing.assert_frame_equal(duck, clocks)
    cal = M.mean_table(now, "frt_calendar_min", "channel")
    assert clocks["median_calendar"].tolist() == pytest.approx(cal["median"].tolist())
    cat = V.category_table(sample, "2026-10")
    assert cat["tickets"].sum() == len(now) and cat["tickets"].is_monotonic_decreasing
    cp = V.cpi_table(sample, until=pd.Period("2026-10", "M"))
    ref = M.cpi(tk, sample.support_costs)
    ref = ref[ref["period"] <= pd.Period("2026-10", "M")].reset_index(drop=True)
    assert cp["cpi"].tolist() == pytest.approx(ref["cpi"].tolist())
    assert cp["tickets"].tolist() == ref["tickets"].tolist()


def test_highlight_is_the_catalogues_figure_of_the_team(sample):
    """The osaka team's FCR and first response time over the three months before and from 2026-04: the
    catalogue's measure of that team (where team = osaka) for the quarters 2026Q1 and 2026Q2."""
    import csa
    from csa import numbers as num
    from csa.views import support as V

    clock = V.clock_params("09:00-18:00, JP, 12-29..01-03")
    frt, fcr = V.team_trends(sample, clock=clock)
    text = V.describe_highlight(frt, fcr, "osaka", "2026-04", clock=clock)
    for q in ("2026Q1", "2026Q2"):
        f = csa.measure("fcr", sample, period=q, freq="quarter", where={"team": "osaka"})
        r = csa.measure("frt", sample, period=q, freq="quarter", where={"team": "osaka"}, **clock)
        assert num.value(f.value, "%") in text and num.value(r.value, "minutes") in text
    assert text.startswith("**Osaka**, the 3 months before 2026-04")
    tab = csa.kpi.table("fcr", sample, by="team", period="2026-10")
    osaka = fcr[(fcr["team"] == "osaka") & (fcr["period"] == pd.Period("2026-10", "M"))]
    assert osaka["value"].item() == tab.loc[tab["team"] == "osaka", "value"].item()


def test_churned_within_by_hand():
    from csa.metrics import churn as CH

    subs = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
                         "month": ["2026-01", "2026-02", "2026-06", "2026-01", "2026-02", "2026-06"]})
    ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "x", "c"],
                       "responded_at": ts("2026-01-31 23:30", "2026-03-01 09:00", "2026-01-15 10:00",
                                          "2026-02-01 00:10", "2026-01-05 12:00", "2026-06-01 09:00")})
    out = CH.churned_within(ev, subs, 3, at="responded_at")
    # last month 2026-06: answers up to 2026-03 are followed; a came back in 06 (not churned), b's last month
    # 02 is before 01 + 3 and before 02 + 3 (churned), x has no subscription (unknown), c's answer is too recent
    assert out["customer_id"].tolist() == ["a", "a", "b", "b", "x"]
    assert out["churned"].tolist() == [False, False, True, True, pd.NA]
    assert CH.churned_within(ev, subs, 5, at="responded_at")["customer_id"].tolist() == ["a", "b", "x"]
    with pytest.raises(ValueError, match="whole months"):
        CH.churned_within(ev, subs, 0, at="responded_at")
    with pytest.raises(KeyError, match="answered_at"):
        CH.churned_within(ev, subs, 3, at="answered_at")


def test_chain_churn_is_the_metric_and_the_former_rule(sample):
    """The chain's churn after a CSAT answer (now csa.metrics.churn.churned_within) against the rule the view
    applied before: the customer's last subscribed month before the answer's month + 6."""
    from csa.metrics import churn as CH
    from csa.views import support as V

    s = V.csat_answers(sample)
    sub = sample.subscriptions
    months = pd.PeriodIndex(sub["month"])
    last = pd.Series(months, index=sub.index).groupby(sub["customer_id"]).max()
    m = s["responded_at"].dt.tz_localize(None).dt.to_period("M")
    followed = s[m <= months.max() - 6]
    want = (followed["customer_id"].map(last) < (m[m <= months.max() - 6] + 6)).to_numpy()
    got = CH.churned_within(s, sub, 6, at="responded_at")
    assert got.index.equals(followed.index) and (got["churned"].to_numpy(dtype=bool) == want).all()
    ch = V.chain(sample, V.tickets(sample))
    assert ch["csat_churn"]["n"].sum() == len(got) and ch["csat_churn"]["successes"].sum() == want.sum()


# ------------------------------------------------------------------ the view's parameters and sentences

def test_view_parameters_are_parsed_or_explained():
    from csa.views import support as V

    cal, clock = V.business_clock("10:00-19:00, none, 08-13..08-16")
    assert (cal.hours, cal.holidays, cal.closed, clock) == (("10:00", "19:00"), None, "08-13..08-16", "business")
    cal, clock = V.business_clock("  ")
    assert clock == "calendar" and cal.minutes(ts("2026-10-03 23:00")[0], ts("2026-10-04 01:00")[0]) == 120
    for bad in ("9-18, JP", "09:00-18:00, Japan", "09:00-18:00, JP, Christmas"):
        with pytest.raises(ValueError):
            V.business_clock(bad)
    assert V.parse_targets("urgent: 0.5, low:24") == {"urgent": 30.0, "low": 1440.0}
    with pytest.raises(ValueError, match="priority:hours"):
        V.parse_targets("urgent=1")
    assert V.parse_highlight("none") == ("", "") and V.parse_highlight("team a from 2026-04") == ("team a", "2026-04")
    # empty: the registry's action for one team (the sample's example registry on the sample; none elsewhere)
    assert V.parse_highlight("") == ("osaka", "2026-04")
    assert V.parse_highlight("", str(Path(__file__).parent)) == ("", "")
    assert V.target_hours("urgent: 0.5, low:24") == {"urgent": 0.5, "low": 24.0}
    assert V.clock_params("") == {"clock": "calendar"}
    assert V.clock_params("9:30-17:00, none, 08-13..08-16") == {"clock": "business", "hours": "09:30-17:00",
                                                                 "holidays": "", "closed": "08-13..08-16"}
    assert V.clock_params("09:00-18:00, JP", "duckdb")["clock"] == "business"
    with pytest.raises(ValueError, match=r"calendar clock.*engine='pandas' only"):
        V.clock_params("", "duckdb")
    with pytest.raises(ValueError, match="TEAM from YYYY-MM"):
        V.parse_highlight("osaka 2026-04")


def test_sentences_in_both_languages(hand):
    from csa.views import support as V

    assert "Talkdesk" in V.describe_abandonment(0) and "5 seconds" in V.describe_abandonment(5)
    assert "5秒未満" in V.describe_abandonment(5, lang="ja")
    assert "`support_costs`" in V.describe_cpi(None, lang="ja")
    tickets = {"tickets": hand}  # the catalogue counts them; fiscal year 2026 holds all six
    side = V.fcr_side_by_side(tickets, "FY2026", freq="fiscal_year", lang="ja")
    assert side["rule"].iloc[0].startswith("解決・返信1回以下")
    spread = V.describe_fcr_spread(side, lang="ja")
    assert "**33.3%**" in spread and "**41.7ポイント**" in spread
    frt, fcr = V.team_trends(tickets)
    assert V.describe_highlight(frt, fcr, "c", "2026-05") == "Team c is not in the data (teams: a, b)."
