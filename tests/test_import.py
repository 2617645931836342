"""``csa import``: the example exports of ``data/examples`` in, a data folder out.

The October figures are checked against hand computations on the **raw** files, written here with
plain pandas (not through csa): each definition is spelt out next to its computation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csa
from csa.cli import main
from csa.imports import ImportRefused, MissingConfig, import_folder

ROOT = Path(__file__).resolve().parents[1]
SET1 = ROOT / "data" / "examples" / "stripe_salesforce"
SET2 = ROOT / "data" / "examples" / "hubspot_eventlog"
TZ = "Asia/Tokyo"
ZENDESK = SET1 / "export-2026-11-02-1140-tickets.csv"
FORM = SET1 / "顧客アンケート2026（回答）.csv"
STRIPE = SET1 / "subscriptions.csv"
SALESFORCE = SET1 / "取引先レポート.csv"
OCT = (pd.Timestamp("2026-10-01", tz=TZ), pd.Timestamp("2026-11-01", tz=TZ))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("imported") / "data"
    report = import_folder(SET1, out)
    return out, report


@pytest.fixture(scope="module")
def imported2(tmp_path_factory):
    out = tmp_path_factory.mktemp("imported2") / "data"
    return out, import_folder(SET2, out)


@pytest.fixture(scope="module")
def dataset(imported):
    return csa.load(imported[0], tz=TZ)


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def in_october(ts: pd.Series) -> pd.Series:
    return (ts >= OCT[0]) & (ts < OCT[1])


# ----------------------------------------------------------------------------- the raw files, by hand

def raw_tickets() -> pd.DataFrame:
    z = pd.read_csv(ZENDESK, dtype=str, keep_default_na=False)
    for c in ("Created at", "Solved at"):
        z[c] = pd.to_datetime(z[c].replace("", None), format="%Y-%m-%d %H:%M:%S %z").dt.tz_convert(TZ)
    for c in ("Replies", "First reply time in minutes", "First reply time in minutes within business hours"):
        z[c] = pd.to_numeric(z[c].replace("", None))
    return z


def raw_form() -> pd.DataFrame:
    g = pd.read_csv(FORM, dtype=str, keep_default_na=False)
    stamp = g["タイムスタンプ"].str.replace("午前", "AM").str.replace("午後", "PM").str.replace("GMT+9", "+0900")
    g["when"] = pd.to_datetime(stamp, format="%Y/%m/%d %I:%M:%S %p %z").dt.tz_convert(TZ)
    q = next(c for c in g.columns if "すすめる可能性" in c)
    g["score"] = pd.to_numeric(g[q].replace("", None))
    return g


def raw_month_ends() -> dict[str, pd.Series]:
    """MRR per Stripe customer paid-active at the last instant of each month (Tokyo), by hand.

    Active: started paying (the start, or the trial's end) before the month ended and not ended by
    then; never paid (incomplete, a trial that ended unpaid, still in trial) is never active;
    MRR = Amount × Quantity, ÷ 12 for a yearly interval.
    """
    s = pd.read_csv(STRIPE, dtype=str, keep_default_na=False)
    t = lambda c: pd.to_datetime(s[c].replace("", None), format="%Y-%m-%d %H:%M", utc=True)
    start, trial_end, ended = t("Start (UTC)"), t("Trial End (UTC)"), t("Ended At (UTC)")
    paid_from = trial_end.where(trial_end.notna() & (trial_end > start), start)
    mrr = s["Amount"].astype(float) * s["Quantity"].astype(float) * s["Interval"].map({"month": 1, "year": 1 / 12})
    never = (s["Status"].isin(["incomplete", "incomplete_expired", "trialing"]) | (ended <= paid_from))
    out = {}
    for m in pd.period_range("2025-01", "2026-10", freq="M"):
        boundary = (m + 1).start_time.tz_localize(TZ).tz_convert("UTC")
        active = ~never & (paid_from < boundary) & (ended.isna() | (ended >= boundary))
        out[str(m)] = mrr[active].groupby(s.loc[active, "Customer ID"]).sum()
    return out


def raw_october_movements() -> dict[str, float]:
    ends = raw_month_ends()
    sep, octo = ends["2026-09"], ends["2026-10"]
    before = set().union(*(set(v.index) for m, v in ends.items() if m < "2026-09"))
    both = sep.index.intersection(octo.index)
    delta = octo[both] - sep[both]
    came = octo.index.difference(sep.index)
    back = [c for c in came if c in before]
    lost = sep.index.difference(octo.index)
    return {"n_start": len(sep), "n_churned": len(lost), "n_end": len(octo), "mrr_start": sep.sum(),
            "new": octo[[c for c in came if c not in before]].sum(), "reactivation": octo[back].sum(),
            "expansion": delta[delta > 0].sum(), "contraction": -delta[delta < 0].sum(), "churned": sep[lost].sum(),
            "mrr_end": octo.sum(), "n_reactivation": len(back)}


# ------------------------------------------------------------------------------------------- files

def test_every_file_is_recognised_with_its_encoding(imported, imported2):
    report = imported[1]
    assert report.file(ZENDESK.name).recognised == "Zendesk Support ticket export"
    assert report.file(FORM.name).recognised == "Google Forms responses"
    assert report.file(STRIPE.name).recognised == "Stripe subscriptions export"
    sf = report.file(SALESFORCE.name)
    assert sf.recognised == "Salesforce account report" and sf.encoding == "cp932 (Shift_JIS)"
    r2 = imported2[1]
    assert r2.file("zendesk_tickets_ja.csv").recognised == "Zendesk Support ticket export"
    assert r2.file("サポート満足度調査(1-60).xlsx").recognised == "Microsoft Forms responses"
    assert r2.file("subscription_events.csv").recognised == "subscription event log"
    assert r2.file("hubspot-crm-exports-all-companies-2026-11-02.csv").recognised == "HubSpot companies export"


def test_cp932_report_with_its_footer(imported):
    raw = SALESFORCE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    sf = pd.read_csv(SALESFORCE, encoding="cp932", dtype=str)
    rows = sf[sf["取引先名"].notna()]  # the footer lines fill the first cell only
    footer = len(sf) - len(rows)
    prospects = int((rows["取引先 種別"] == "見込み客").sum())
    rep = imported[1].file(SALESFORCE.name)
    assert rep.rows_in == len(sf)  # the data rows and the footer's lines (blank lines are not rows)
    assert rep.skipped == {"footer": footer, "prospect": prospects}
    customers = table(imported[0], "customers")
    assert set(rows.loc[rows["取引先 種別"] != "見込み客", "取引先 ID"]) <= set(customers["customer_id"])
    assert not set(rows.loc[rows["取引先 種別"] == "見込み客", "取引先 ID"]) & set(customers["customer_id"])
    assert "株式会社" in "".join(customers["name"])  # Japanese text survived cp932


def test_reimport_gives_identical_files(imported, tmp_path):
    folder, _ = imported
    first = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    import_folder(SET1, folder)  # again, into the same folder
    assert {p.name: p.read_bytes() for p in sorted(folder.iterdir())} == first
    other = tmp_path / "elsewhere"
    import_folder(SET1, other)  # into another folder: the same bytes too (no path, no clock)
    assert {p.name: p.read_bytes() for p in sorted(other.iterdir())} == first
    assert set(first) == {"customers.csv", "subscriptions.csv", "tickets.csv", "surveys.csv", "import_report.json",
                          "import_report.md"}


def test_columns_the_exports_lack_are_not_written(imported):
    tickets = table(imported[0], "tickets")
    for col in ("handle_time_min", "is_complaint", "quality_score"):
        assert col not in tickets.columns
        assert col in imported[1].left_out["tickets"]
    assert {"first_response_at", "resolved_at", "agent_replies", "reopened", "channel"} <= set(tickets.columns)


def test_unlinked_records_are_kept(imported):
    z = raw_tickets()
    tickets = table(imported[0], "tickets")
    assert len(tickets) == len(z)  # every ticket, linked or not
    unlinked = tickets[tickets["customer_id"] == ""]
    assert 0 < len(unlinked) < len(tickets)
    free = z[(z["Organization"] == "") & z["Requester domain"].isin(["gmail.com", "yahoo.co.jp", "docomo.ne.jp"])
             & ~z["Requester email"].isin(["hanako.yamada@gmail.com", "ken.ito@yahoo.co.jp", "aya.t@outlook.com"])]
    assert len(free) and set(free["Id"]) <= set(unlinked["ticket_id"])  # a free-mail domain never links
    known = z[z["Requester email"] == "ken.ito@yahoo.co.jp"]  # the address Stripe knows links to that customer
    linked = tickets.set_index("ticket_id").loc[known["Id"], "customer_id"]
    assert len(known) and (linked == linked.iloc[0]).all() and linked.iloc[0].startswith("cus_")
    surveys = table(imported[0], "surveys")
    g = raw_form()
    assert (surveys["survey"] == "nps").sum() == g["score"].notna().sum()  # blank scores skipped, the rest kept
    assert (surveys.loc[surveys["survey"] == "nps", "customer_id"] == "").sum() > 0
    rep = imported[1].file(ZENDESK.name).linking
    assert rep["records"] == len(z) and rep["linked"] + sum(rep["unlinked"].values()) == len(z)
    assert {"name", "domain", "email"} <= set(rep["by_rule"])


def test_blank_scores_are_skipped_and_counted(imported, imported2):
    g = raw_form()
    assert imported[1].file(FORM.name).skipped == {"blank score": int(g["score"].isna().sum())}
    ms = pd.read_excel(SET2 / "サポート満足度調査(1-60).xlsx", dtype=object)
    q = next(c for c in ms.columns if "満足" in c)
    assert imported2[1].file("サポート満足度調査(1-60).xlsx").skipped == {"blank score": int(ms[q].isna().sum())}


def test_times_honour_their_zone(imported):
    g = raw_form()
    surveys = table(imported[0], "surveys")
    nps = surveys[surveys["survey"] == "nps"].sort_values("response_id")
    scored = g[g["score"].notna()]
    assert list(nps["responded_at"]) == [t.isoformat() for t in scored["when"]]  # 午後 GMT+9 read as such
    # Stripe's "(UTC)" columns: a subscription that ended at 16:30 UTC on 31 October (01:30 in Tokyo on
    # 1 November) was still paid at the last instant of October in Tokyo
    s = pd.read_csv(STRIPE, dtype=str, keep_default_na=False)
    late = s.loc[s["Ended At (UTC)"] == "2026-10-31 16:30", "Customer ID"].iloc[0]
    early = s.loc[s["Ended At (UTC)"] == "2026-09-30 15:30", "Customer ID"].iloc[0]
    ends = raw_month_ends()
    assert late in ends["2026-10"].index and early in ends["2026-09"].index and early not in ends["2026-10"].index


def test_csat_from_zendesk_ratings(imported):
    z = raw_tickets()
    surveys = table(imported[0], "surveys")
    csat = surveys[surveys["survey"] == "csat"]
    rated = z[z["Satisfaction Score"].isin(["Good", "Bad"])]
    assert len(csat) == len(rated)
    assert set(csat["scale"]) == {"2"} and set(csat["touchpoint"]) == {"support_contact"}
    by_id = csat.set_index("ticket_id")
    assert (by_id.loc[rated["Id"], "score"].values == rated["Satisfaction Score"].map({"Good": "2", "Bad": "1"})).all()
    assert (by_id.loc[rated["Id"], "responded_at"].values == [t.isoformat() for t in rated["Solved at"]]).all()


# ------------------------------------------------------------------------------- October, by hand

def test_october_subscriptions_table_matches_the_raw_stripe_file(imported):
    """The written customer-months give the same October movements as the raw file by hand."""
    hand = raw_october_movements()
    subs = table(imported[0], "subscriptions")
    subs["mrr"] = subs["mrr"].astype(float)
    sep = subs[subs["month"] == "2026-09"].set_index("customer_id")["mrr"]
    octo = subs[subs["month"] == "2026-10"].set_index("customer_id")["mrr"]
    before = set(subs.loc[subs["month"] < "2026-09", "customer_id"])
    both = sep.index.intersection(octo.index)
    delta = octo[both] - sep[both]
    came = octo.index.difference(sep.index)
    lost = sep.index.difference(octo.index)
    got = {"n_start": len(sep), "n_churned": len(lost), "n_end": len(octo), "mrr_start": sep.sum(),
           "new": octo[[c for c in came if c not in before]].sum(),
           "reactivation": octo[[c for c in came if c in before]].sum(), "expansion": delta[delta > 0].sum(),
           "contraction": -delta[delta < 0].sum(), "churned": sep[lost].sum(), "mrr_end": octo.sum(),
           "n_reactivation": sum(1 for c in came if c in before)}
    assert got == pytest.approx(hand)
    # the example holds each movement at least once
    assert all(hand[k] > 0 for k in ("new", "reactivation", "expansion", "contraction", "churned"))
    # the customer who joined and left inside October appears in no month
    assert "cus_P000solo0" not in set(subs["customer_id"])


def test_october_churn_nrr_and_movements_by_csa_measure(dataset):
    hand = raw_october_movements()
    churn = csa.measure("churn", dataset, period="2026-10")
    assert churn.n == hand["n_start"]
    assert churn.value == pytest.approx(100 * hand["n_churned"] / hand["n_start"])
    rev = csa.measure("revenue_churn", dataset, period="2026-10")
    assert rev.value == pytest.approx(100 * (hand["churned"] + hand["contraction"]) / hand["mrr_start"])
    for k in ("mrr_start", "new", "reactivation", "expansion", "contraction", "churned"):
        assert float(rev.row[k]) == pytest.approx(hand[k]), k
    nrr = csa.measure("nrr", dataset, period="2026-10", reactivation=False)  # the start-of-month cohort
    start = hand["mrr_start"]
    assert nrr.value == pytest.approx(100 * (start + hand["expansion"] - hand["contraction"] - hand["churned"]) / start)


def test_october_nps_over_every_scored_answer(dataset):
    g = raw_form()
    octo = g[in_october(g["when"]) & g["score"].notna()]
    hand = 100 * ((octo["score"] >= 9).mean() - (octo["score"] <= 6).mean())
    r = csa.measure("nps", dataset, period="2026-10")
    assert r.n == len(octo)
    assert r.value == pytest.approx(hand)


def test_october_csat_good_over_rated_by_solve_month(dataset):
    z = raw_tickets()
    octo = z[in_october(z["Solved at"]) & z["Satisfaction Score"].isin(["Good", "Bad"])]
    hand = 100 * (octo["Satisfaction Score"] == "Good").mean()
    r = csa.measure("csat", dataset, period="2026-10", touchpoint="support_contact", top=1)
    assert r.n == len(octo)
    assert r.value == pytest.approx(hand)


def test_october_fcr_by_solve_month(dataset):
    """FCR as Zendesk counts it: solved tickets with at most one agent reply ÷ solved tickets, by solve month."""
    z = raw_tickets()
    solved = z[z["Status"].isin(["Solved", "Closed"]) & in_october(z["Solved at"])]
    hand = 100 * (solved["Replies"] <= 1).mean()
    r = csa.measure("fcr", dataset, period="2026-10", definition="zendesk", date_by="solved")
    assert r.n == len(solved)
    assert r.value == pytest.approx(hand)


def test_october_first_reply_calendar_and_business_minutes(dataset):
    """Median first reply in calendar minutes, and the mean and median of Zendesk's own business-minute
    column (09:00-18:00, Japanese holidays: the catalogue's default clock), of tickets created in October."""
    z = raw_tickets()
    octo = z[in_october(z["Created at"]) & z["First reply time in minutes"].notna()]
    cal = csa.measure("frt", dataset, period="2026-10", statistic="median", clock="calendar")
    assert cal.n == len(octo)
    assert cal.value == pytest.approx(octo["First reply time in minutes"].median())
    biz = octo["First reply time in minutes within business hours"]
    med = csa.measure("frt", dataset, period="2026-10", statistic="median")
    mean = csa.measure("frt", dataset, period="2026-10", statistic="mean")
    # Zendesk writes whole minutes; csa counts seconds: at most half a minute apart per ticket
    assert med.value == pytest.approx(biz.median(), abs=0.5)
    assert mean.value == pytest.approx(biz.mean(), abs=0.5)


# --------------------------------------------------------------------------- the second example set

def test_event_log_hubspot_segments_and_plans(imported2):
    folder, report = imported2
    customers = table(folder, "customers")
    hub = pd.read_csv(SET2 / "hubspot-crm-exports-all-companies-2026-11-02.csv", dtype=str, encoding="utf-8-sig")
    kept = hub[hub["Lifecycle Stage"].isin(["Customer", "Evangelist"])]
    assert set(kept["Record ID"]) <= set(customers["customer_id"])
    assert len(customers) == len(kept) + 1  # and the log's customer the CRM lacks
    emp = kept.set_index("Record ID")["Number of Employees"].astype(int)
    want = emp.map(lambda n: "enterprise" if n >= 1000 else "mid_market" if n >= 100 else "smb")
    assert (customers.set_index("customer_id").loc[want.index, "segment"] == want).all()
    assert set(customers["plan"]) - {""} <= {"starter", "standard", "premium"}
    log = pd.read_csv(SET2 / "subscription_events.csv", dtype=str)
    subs = table(folder, "subscriptions")
    ids = hub.set_index("Billing ID")["Record ID"]
    month = lambda b, m: subs[(subs["customer_id"] == ids[b]) & (subs["month"] == m)]["mrr"].astype(float).sum()
    covered = log.loc[log["end_date"] == "2026-10-31", "customer_id"].iloc[0]
    assert month(covered, "2026-10") > 0  # the contract covers 31 October: paying at the end of October
    gone = log.loc[log["end_date"] == "2026-10-12", "customer_id"].iloc[0]
    assert month(gone, "2026-09") > 0 and month(gone, "2026-10") == 0
    added = log.loc[log["start_date"] == "2026-10-01", "customer_id"].iloc[0]
    assert month(added, "2026-10") == month(added, "2026-09") + 10000
    assert report.business_clock == "09:00-18:00, JP, 12-29..01-03"


def test_zendesk_japanese_headers(imported2):
    raw = pd.read_csv(SET2 / "zendesk_tickets_ja.csv", dtype=str, keep_default_na=False)
    tickets = table(imported2[0], "tickets").set_index("ticket_id").loc[raw["ID"]]
    # times without an offset are business-time-zone times
    want = pd.to_datetime(raw["作成日"], format="%Y/%m/%d %H:%M").dt.tz_localize(TZ)
    assert list(tickets["created_at"]) == [t.isoformat() for t in want]
    solved = raw["ステータス"].isin(["解決済み", "終了"])
    assert list(tickets["status"]) == ["solved" if s else "open" for s in solved]
    assert list(tickets["priority"]) == list(raw["優先度"].map({"低": "low", "普通": "normal", "高": "high"}))
    assert list(tickets["channel"]) == list(raw["経路"].map({"メール": "email", "チャット": "chat", "電話": "phone"}))
    first = want + pd.to_timedelta(raw["初回返信時間（分）"].astype(int), unit="min")
    assert list(tickets["first_response_at"]) == [t.isoformat() for t in first]


def test_microsoft_forms_csat_on_its_scale(imported2):
    surveys = table(imported2[0], "surveys")
    ms = surveys[surveys["response_id"].str.startswith("F")]
    assert set(ms["survey"]) == {"csat"} and set(ms["scale"]) == {""}  # 1-5: the usual scale, left blank
    assert ms["score"].astype(int).between(1, 5).all() and (ms["comment"] != "").any()


# ----------------------------------------------------------------------------------- the command

def _copy_raw(src: Path, dst: Path, *, config: str | None) -> Path:
    dst.mkdir()
    for p in src.iterdir():
        if p.name != "import.yaml":
            shutil.copy(p, dst / p.name)
    if config is not None:
        (dst / "import.yaml").write_text(config, encoding="utf-8")
    return dst


def test_missing_survey_entry_prints_the_lines_to_add(tmp_path, capsys):
    raw = _copy_raw(SET1, tmp_path / "raw", config="timezone: Asia/Tokyo\n")
    assert main(["import", str(raw), "--into", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Add these lines to import.yaml" in err
    assert f'  - file: "{FORM.name}"' in err
    assert '    question: "当社サービスを友人や同僚にすすめる可能性は、0〜10でどのくらいありますか？"' in err
    assert "    survey: nps" in err and "    touchpoint: relationship" in err
    assert not (tmp_path / "out").exists()  # nothing written
    # the printed lines, pasted into the config, make the import go through
    lines = err.split("Add these lines to import.yaml:\n\n", 1)[1]
    (raw / "import.yaml").write_text("timezone: Asia/Tokyo\n" + lines, encoding="utf-8")
    assert main(["import", str(raw), "--into", str(tmp_path / "out")]) == 0
    assert "Google Forms responses" in capsys.readouterr().out


def test_no_config_asks_for_the_time_zone_too(tmp_path):
    raw = _copy_raw(SET1, tmp_path / "raw", config=None)
    with pytest.raises(MissingConfig) as exc:
        import_folder(raw, tmp_path / "out")
    assert exc.value.yaml.startswith("timezone: Asia/Tokyo")
    assert "surveys:" in exc.value.yaml


def test_refuses_to_overwrite_a_table_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "data"
    out.mkdir()
    (out / "customers.csv").write_text("customer_id,name\nC1,mine\n", encoding="utf-8")
    assert main(["import", str(SET1), "--into", str(out)]) == 2
    err = capsys.readouterr().err
    assert "customers.csv" in err and "did not write" in err
    assert (out / "customers.csv").read_text(encoding="utf-8") == "customer_id,name\nC1,mine\n"
    with pytest.raises(ImportRefused):
        import_folder(SET1, out)


def test_the_report_is_printed_and_saved(imported, capsys, tmp_path):
    assert main(["import", str(SET1), "--into", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    saved = (tmp_path / "d" / "import_report.md").read_text(encoding="utf-8")
    for text in ("end_of_month", "footer 4", "prospect 10", "blank score", "linked to customers", "by name",
                 "Months are written up to 2026-10", "not written: handle_time_min"):
        assert text in out and text in saved
    import json

    data = json.loads((tmp_path / "d" / "import_report.json").read_text(encoding="utf-8"))
    assert data["month_rule"] == "end_of_month" and data["last_month"] == "2026-10"
    assert [f["file"] for f in data["files"]] == sorted(f["file"] for f in data["files"])


def test_csa_check_accepts_the_imported_folder(imported, capsys):
    assert main(["check", str(imported[0])]) == 0
    out = capsys.readouterr().out
    assert "import_report" not in out  # the report files are not taken for tables


@pytest.mark.slow
def test_csa_report_runs_on_the_imported_folder(imported, tmp_path):
    import json

    out = tmp_path / "report"
    assert main(["report", "--data", str(imported[0]), "--out", str(out)]) == 0  # the last full month: October
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["ok"] and m["parameters"]["period"] == "2026-10"
    status = {e["name"]: (e["status"], e.get("skipped") or "") for e in m["notebooks"]}
    assert status["03_ces.ipynb"] == ("skipped", "the survey answers have no CES answer")  # the export has none
    assert {k for k, (st, _) in status.items() if st == "skipped"} == {
        "03_ces.ipynb", "04_gcr.ipynb", "07_ltv.ipynb", "08_tiers.ipynb", "09_kpi_cycle.ipynb"}
    for part in ("05_support.ipynb", "05c_capacity.ipynb"):  # the parts with a clock: the import's hours
        support = next(e for e in m["notebooks"] if e["name"] == part)
        assert support["parameters"]["business_clock"] == "09:00-18:00, JP, 12-29..01-03", part
    front = {r["kpi"]: r for r in m["front_page"]}
    ds = csa.load(imported[0])
    for kpi, params in (("nps", {}), ("churn", {}), ("nrr", {}), ("revenue_churn", {})):
        assert front[kpi]["value"] == pytest.approx(csa.measure(kpi, ds, period="2026-10", **params).value)
    assert front["complaints"]["missing"]["columns"] == ["is_complaint"]  # Zendesk exports no complaint flag
    text = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.html"))
    assert "osaka" not in text.lower() and "大阪" not in text  # nothing of the sample's teams


def test_end_of_month_rule_differs_from_any_day(tmp_path):
    """The month rule is a parameter: any_day counts the customer who joined and left inside October."""
    raw = _copy_raw(SET1, tmp_path / "raw", config=(SET1 / "import.yaml").read_text(encoding="utf-8")
                    + "month_rule: any_day\n")
    report = import_folder(raw, tmp_path / "out")
    subs = table(tmp_path / "out", "subscriptions")
    assert report.month_rule == "any_day"
    assert ((subs["customer_id"] == "cus_P000solo0") & (subs["month"] == "2026-10")).sum() == 1
    assert np.isfinite(subs["mrr"].astype(float)).all()


# ------------------------------------------------------------------------------- refusals and updates

def _mini(folder: Path, files: dict[str, str], config: str = "timezone: Asia/Tokyo\n") -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "import.yaml").write_text(config, encoding="utf-8")
    return folder


_CRM = "Record ID,Company name,Company Domain Name,Lifecycle Stage\n1,株式会社アルファ,alpha.co.jp,Customer\n"
_LOG = "customer_id,customer_name,start_date,end_date,amount\nK1,アルファ,2026-01-05,,10000\n"


def test_unrecognised_files_are_listed_not_read(tmp_path):
    raw = _mini(tmp_path / "raw", {"hubspot.csv": _CRM, "log.csv": _LOG, "memo.csv": "foo,bar\n1,2\n"})
    report = import_folder(raw, tmp_path / "out")
    memo = report.file("memo.csv")
    assert memo.recognised is None and "foo, bar" in memo.notes[0]
    assert "memo.csv: not recognised, not read" in report.text()


def test_an_unparseable_time_names_file_column_and_value(tmp_path):
    raw = _mini(tmp_path / "raw", {"log.csv": _LOG.replace("2026-01-05", "5 Jan 2026")})
    with pytest.raises(ImportRefused, match=r"log\.csv, column 'start_date'.*'5 Jan 2026'.*Fix:"):
        import_folder(raw, tmp_path / "out")


def test_two_currencies_are_refused(tmp_path):
    s = pd.read_csv(STRIPE, dtype=str, keep_default_na=False)
    s.loc[0, "Currency"] = "usd"
    raw = tmp_path / "raw"
    raw.mkdir()
    s.to_csv(raw / "subscriptions.csv", index=False)
    (raw / "import.yaml").write_text("timezone: Asia/Tokyo\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="2 currencies"):
        import_folder(raw, tmp_path / "out")


def test_unknown_config_keys_are_refused(tmp_path):
    raw = _mini(tmp_path / "raw", {"log.csv": _LOG}, config="timezone: Asia/Tokyo\ntimezon: UTC\n")
    with pytest.raises(ImportRefused, match=r"unknown key\(s\) \['timezon'\]"):
        import_folder(raw, tmp_path / "out")


def test_an_update_keeps_your_tables_and_removes_stale_ones(tmp_path):
    raw = _mini(tmp_path / "raw", {"hubspot.csv": _CRM, "log.csv": _LOG,
                                   "tickets.csv": (SET2 / "zendesk_tickets_ja.csv").read_text(encoding="utf-8")})
    out = tmp_path / "data"
    import_folder(raw, out)
    assert (out / "tickets.csv").exists()
    (out / "orders.csv").write_text("order_id,customer_id,ordered_at,amount\n", encoding="utf-8")
    (raw / "tickets.csv").unlink()
    report = import_folder(raw, out)
    assert not (out / "tickets.csv").exists() and report.removed == ["surveys.csv", "tickets.csv"]  # and its CSAT
    assert (out / "orders.csv").read_text(encoding="utf-8") == "order_id,customer_id,ordered_at,amount\n"


def test_an_import_config_of_nested_aliases_is_refused_at_once(tmp_path):
    import time

    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{k}: &{k} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, k in zip("abcdefgh", "bcdefghi"))
    raw = _mini(tmp_path / "raw", {}, config="timezone: Asia/Tokyo\n" + bomb)
    t0 = time.perf_counter()
    with pytest.raises(ImportRefused, match="aliases"):
        import_folder(raw, tmp_path / "out")
    assert time.perf_counter() - t0 < 1.0
