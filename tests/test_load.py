"""The loader: typed tables, encodings, mapping, normalisation, and every bad-input case."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import csa
from csa.cli import main
from csa.encoding import detect_encoding

from .conftest import ROOT, SAMPLE, read_raw, write_raw


def problems_of(folder, **kw):
    with pytest.raises(csa.DataError) as info:
        csa.load(folder, **kw)
    assert isinstance(info.value, ValueError)
    return info.value


def the_problem(err, column, text):
    """The one problem naming ``column`` whose message contains ``text``."""
    hits = [p for p in err.problems if p.column == column and text in p.message]
    assert len(hits) == 1, f"no single problem on {column!r} with {text!r} in:\n{err}"
    return hits[0]


# ---------------------------------------------------------------- the sample and the types

def test_sample_loads_all_eight_tables_typed():
    ds = csa.load(SAMPLE)
    assert set(ds.tables()) == {"customers", "subscriptions", "orders", "tickets", "surveys", "goals",
                                "support_costs", "usage"}
    assert str(ds.usage["month"].dtype) == "period[M]" and str(ds.usage["active_users"].dtype) == "Int64"
    costs = ds.support_costs
    assert str(costs["month"].dtype) == "period[M]" and costs["team"].isna().sum() == 24  # unallocated tooling
    assert (costs["amount"] > 0).all()
    assert str(ds.tickets["created_at"].dt.tz) == "Asia/Tokyo"
    assert str(ds.tickets["agent_replies"].dtype) == "Int64"
    assert str(ds.tickets["reopened"].dtype) == "boolean"
    assert str(ds.subscriptions["month"].dtype) == "period[M]"
    assert ds.customers["customer_id"].is_unique
    assert ds.surveys["score"].between(0, 10).all()
    # a timestamp with +09:00 keeps its wall-clock time in Tokyo
    raw = read_raw(SAMPLE, "tickets").iloc[0]
    assert ds.tickets["created_at"].iloc[0].isoformat() == raw["created_at"]


def test_business_time_zone_is_a_parameter(small):
    ds = csa.load(small, tz="UTC")
    raw = read_raw(small, "tickets").iloc[0]["created_at"]
    assert ds.tickets["created_at"].iloc[0] == pd.Timestamp(raw)
    assert str(ds.tickets["created_at"].dt.tz) == "UTC"


def test_only_customers_is_required(small):
    for t in ("subscriptions", "orders", "tickets", "surveys", "goals", "usage"):
        (small / f"{t}.csv").unlink()
    ds = csa.load(small)
    assert ds.tickets is None and ds.surveys is None
    with pytest.raises(csa.DataError, match="tickets"):
        ds.require("tickets")


def test_missing_customers_table(small):
    (small / "customers.csv").unlink()
    err = problems_of(small)
    assert "customers" in str(err) and "required" in str(err)


def test_header_only_file_is_an_empty_table(small):
    write_raw(small, "goals", read_raw(small, "goals").iloc[:0])
    ds = csa.load(small)
    assert len(ds.goals) == 0
    assert list(ds.goals.columns)[:3] == ["attempt_id", "customer_id", "goal"]


# ---------------------------------------------------------------- encodings

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "euc_jp"])
def test_csv_encodings_are_detected(small, encoding):
    df = read_raw(small, "customers")
    df.loc[0, "name"] = "株式会社髙橋①商事"  # ① and 髙 exist in cp932 but not in Shift_JIS
    if encoding == "euc_jp":
        df.loc[0, "name"] = "株式会社高橋商事"
    write_raw(small, "customers", df, encoding=encoding)
    ds = csa.load(small)
    assert ds.customers.loc[0, "name"] == df.loc[0, "name"]
    assert ds.sources["customers"].encoding == encoding


@pytest.mark.parametrize("text", ["顧客", "株式会社サンプル商事の解約について", "ｱｲｳ半角カナ"])
def test_detect_encoding_short_cp932_is_not_korean(text):
    assert detect_encoding(text.encode("cp932")) == "cp932"


# ---------------------------------------------------------------- other formats

def test_excel_and_parquet(small):
    pytest.importorskip("openpyxl")
    cust = csa.load(small).customers
    df = read_raw(small, "customers")
    (small / "customers.csv").unlink()
    df.to_excel(small / "customers.xlsx", index=False)
    ds = csa.load(small)
    pd.testing.assert_frame_equal(ds.customers, cust)
    tk = read_raw(small, "tickets")
    (small / "tickets.csv").unlink()
    tk.to_parquet(small / "tickets.parquet")
    ds2 = csa.load(small)
    assert len(ds2.tickets) == len(tk)
    # typed parquet columns are checked too: a missing required number is reported
    typed = ds2.tickets.copy()
    typed["created_at"] = typed["created_at"].astype(object)
    typed.loc[[1, 4], "created_at"] = None
    typed.to_parquet(small / "tickets.parquet")
    p = the_problem(problems_of(small), "created_at", "required value is missing")
    assert p.rows == [3, 6]


# ---------------------------------------------------------------- normalisation

def test_full_width_digits_and_spaces_are_normalised_and_counted(small):
    s = read_raw(small, "surveys")
    nps = s.index[s["survey"] == "nps"][:2]
    s.loc[nps[0], "score"] = "１０"
    s.loc[nps[1], "score"] = " 7 "
    s.loc[nps[1], "customer_id"] = " " + s.loc[nps[1], "customer_id"]
    write_raw(small, "surveys", s)
    ds = csa.load(small)
    assert ds.surveys.loc[nps[0], "score"] == 10
    assert ds.surveys.loc[nps[1], "score"] == 7
    norm = ds.sources["surveys"].normalizations
    assert norm[("score", "full-width characters made half-width")] == 1
    assert norm[("score", "surrounding spaces removed")] == 1
    assert norm[("customer_id", "surrounding spaces removed")] == 1
    assert len(ds.surveys) == len(s)  # nothing dropped


def test_check_prints_normalisations(small, capsys):
    s = read_raw(small, "orders")
    s.loc[0, "amount"] = "¥" + f"{int(s.loc[0, 'amount']):,}"
    write_raw(small, "orders", s)
    assert main(["check", str(small)]) == 0
    out = capsys.readouterr().out
    assert "thousands separators / currency signs removed — 1 row" in out
    assert "OK" in out


# ---------------------------------------------------------------- bad input, case by case

def test_missing_required_column_names_it_and_the_columns_present(small):
    df = read_raw(small, "tickets").drop(columns=["created_at"])
    write_raw(small, "tickets", df)
    p = the_problem(problems_of(small), "created_at", "required column missing")
    assert "ticket_id" in p.message  # lists what the file has
    assert "mapping" in p.fix


def test_duplicate_ids(small):
    df = read_raw(small, "tickets")
    df.loc[5, "ticket_id"] = df.loc[2, "ticket_id"]
    write_raw(small, "tickets", df)
    p = the_problem(problems_of(small), "ticket_id", "duplicate")
    assert p.n_rows == 2 and p.rows == [4, 7]  # spreadsheet rows: header is row 1


def test_score_outside_scale_and_not_a_number(small):
    s = read_raw(small, "surveys")
    csat = s.index[s["survey"] == "csat"][:3]
    nps = s.index[s["survey"] == "nps"][:1]
    s.loc[csat[0], "score"] = "7"  # CSAT is 1-5
    s.loc[csat[1], "score"] = "0"
    s.loc[nps[0], "score"] = "とても良い"
    write_raw(small, "surveys", s)
    err = problems_of(small)
    p = the_problem(err, "score", "CSAT score outside its scale 1–5")
    assert p.n_rows == 2 and p.rows == [int(csat[0]) + 2, int(csat[1]) + 2]
    assert p.values == ["7", "0"]
    q = the_problem(err, "score", "not a number")
    assert q.values == ["とても良い"] and q.rows == [int(nps[0]) + 2]


def test_unparseable_and_impossible_timestamps(small):
    df = read_raw(small, "tickets")
    df.loc[0, "created_at"] = "2026-02-30T10:00:00+09:00"
    df.loc[1, "created_at"] = "yesterday"
    write_raw(small, "tickets", df)
    p = the_problem(problems_of(small), "created_at", "unparseable or impossible")
    assert p.n_rows == 2 and p.rows == [2, 3] and "2026-02-30" in str(p)


def test_response_or_resolution_before_creation(small):
    df = read_raw(small, "tickets")
    solved = df.index[df["status"] == "solved"][:2]
    df.loc[solved[0], "first_response_at"] = "2000-01-01T00:00:00+09:00"
    df.loc[solved[1], "resolved_at"] = "2000-01-01T00:00:00+09:00"
    write_raw(small, "tickets", df)
    err = problems_of(small)
    assert the_problem(err, "first_response_at", "before created_at").rows == [int(solved[0]) + 2]
    assert the_problem(err, "resolved_at", "before created_at").rows == [int(solved[1]) + 2]


def test_negative_money_and_margin_out_of_range(small):
    o = read_raw(small, "orders")
    o.loc[3, "amount"] = "-5000"
    o.loc[4, "gross_margin"] = "78"
    write_raw(small, "orders", o)
    s = read_raw(small, "subscriptions")
    s.loc[0, "mrr"] = "-1"
    write_raw(small, "subscriptions", s)
    err = problems_of(small)
    assert the_problem(err, "amount", "value is").rows == [5]
    m = the_problem(err, "gross_margin", "above 1")
    assert m.rows == [6] and "write 0.78, not 78" in m.message
    assert the_problem(err, "mrr", "negative").values == ["-1"]


def test_unknown_customer_references(small):
    t = read_raw(small, "tickets")
    t.loc[[1, 2], "customer_id"] = "C99999"
    write_raw(small, "tickets", t)
    p = the_problem(problems_of(small), "customer_id", "not found in customers")
    assert p.file == "tickets.csv" and p.n_rows == 2 and p.values == ["C99999", "C99999"]


def test_empty_file(small, capsys):
    (small / "goals.csv").write_bytes(b"")
    err = problems_of(small)
    assert any(p.file == "goals.csv" and "empty" in p.message for p in err.problems)
    assert main(["check", str(small)]) == 1
    assert "goals.csv             (could not be read" in capsys.readouterr().out


def test_wrong_delimiter(small):
    df = read_raw(small, "goals")
    write_raw(small, "goals", df, sep=";")
    err = problems_of(small)
    assert any(p.file == "goals.csv" and "semicolon" in p.message for p in err.problems)


def test_category_values_and_booleans(small):
    t = read_raw(small, "tickets")
    t.loc[0, "priority"] = "asap"
    t.loc[1, "reopened"] = "maybe"
    t.loc[2, "priority"] = "Normal"  # case is folded, and counted
    t.loc[3, "priority"] = "ＡＳＡＰ"  # messages show the value as written in the file
    write_raw(small, "tickets", t)
    err = problems_of(small)
    assert the_problem(err, "priority", "not allowed").values == ["asap", "ＡＳＡＰ"]
    assert the_problem(err, "reopened", "true/false").rows == [3]


def test_every_problem_is_listed_not_only_the_first(small):
    t = read_raw(small, "tickets")
    t.loc[0, "status"] = "pending"
    write_raw(small, "tickets", t)
    o = read_raw(small, "orders")
    o.loc[0, "amount"] = "-1"
    write_raw(small, "orders", o)
    err = problems_of(small)
    assert {p.file for p in err.problems} == {"tickets.csv", "orders.csv"}
    assert re.search(r"2 problems in .*:\n  1\. orders\.csv, column 'amount'", str(err))


def test_check_command_exit_codes(small, capsys):
    assert main(["check", str(SAMPLE)]) == 0
    assert "OK: no problems" in capsys.readouterr().out
    t = read_raw(small, "tickets")
    t.loc[0, "status"] = "pending"
    write_raw(small, "tickets", t)
    assert main(["check", str(small)]) == 1
    out = capsys.readouterr().out
    assert "PROBLEMS: 1" in out and "'status'" in out and "pending" in out
    assert main(["check", str(small / "nope")]) == 2


# ---------------------------------------------------------------- mapping

def test_example_mapping_reads_a_japanese_zendesk_style_export(small, capsys):
    t = read_raw(small, "tickets")
    ja = {"ticket_id": "チケットID", "customer_id": "組織ID", "channel": "チャネル", "category": "カテゴリ",
          "priority": "優先度", "team": "グループ", "agent": "担当者", "created_at": "作成日時",
          "first_response_at": "初回返信日時", "resolved_at": "解決日時", "status": "ステータス",
          "agent_replies": "担当者返信数", "reopened": "再オープン", "handle_time_min": "対応時間（分）",
          "quality_score": "品質スコア", "is_complaint": "クレーム"}
    export = t.rename(columns=ja)
    export["チャネル"] = export["チャネル"].map({"phone": "電話", "email": "メール", "chat": "チャット",
                                               "web_form": "Webフォーム"})
    export["ステータス"] = export["ステータス"].map({"solved": "解決済み", "abandoned": "放棄", "open": "オープン"})
    export["優先度"] = export["優先度"].map({"low": "低", "normal": "通常", "high": "高", "urgent": "緊急"})
    export["再オープン"] = export["再オープン"].map({"true": "はい", "false": "いいえ"})
    (small / "tickets.csv").unlink()
    export.to_csv(small / "zendesk_tickets.csv", index=False, encoding="cp932")
    ds = csa.load(small, mapping=ROOT / "data" / "mappings" / "zendesk_ja_tickets.yaml")
    assert ds.tickets["channel"].tolist() == t["channel"].tolist()
    assert ds.tickets["status"].tolist() == t["status"].tolist()
    assert ds.tickets["reopened"].tolist() == (t["reopened"] == "true").tolist()
    assert ds.sources["tickets"].file == "zendesk_tickets.csv"
    assert main(["check", str(small), "--mapping", str(ROOT / "data" / "mappings" / "zendesk_ja_tickets.yaml")]) == 0
    assert main(["check", str(small)]) == 0  # without the mapping the export is simply not read …
    assert "zendesk_tickets.csv" in capsys.readouterr().out  # … and the summary says so


def test_malformed_mapping_file_is_a_clear_error(small, tmp_path, capsys):
    bad = tmp_path / "m.yaml"
    bad.write_text("tickets: [unclosed", encoding="utf-8")
    with pytest.raises(csa.DataError, match="not valid YAML"):
        csa.load(small, mapping=bad)
    assert main(["check", str(small), "--mapping", str(bad)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_mapping_with_unknown_table_is_an_error(small):
    with pytest.raises(csa.DataError, match="unknown table 'ticket'"):
        csa.load(small, mapping={"ticket": {"columns": {}}})


def test_japanese_excel_style_and_offset_free_timestamps(small):
    t = read_raw(small, "tickets")
    created = pd.Timestamp(t.loc[0, "created_at"])
    t.loc[0, "created_at"] = created.strftime("%Y/%m/%d ") + str(created.hour) + created.strftime(":%M:%S")
    t.loc[1, "created_at"] = pd.Timestamp(t.loc[1, "created_at"]).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    write_raw(small, "tickets", t)
    ds = csa.load(small)
    assert ds.tickets.loc[0, "created_at"] == created  # read as Tokyo wall-clock time
    assert ds.tickets.loc[1, "created_at"] == pd.Timestamp(read_raw(small, "tickets").loc[1, "created_at"])
    assert ds.sources["tickets"].normalizations[("created_at", "no UTC offset: read as Asia/Tokyo time")] == 1


@pytest.mark.parametrize("name", ["tickets.xlsx", "tickets.parquet"])
def test_corrupt_binary_files_are_problems_not_crashes(small, capsys, name):
    (small / "tickets.csv").unlink()
    (small / name).write_bytes(b"this is not really a " + name.encode())
    err = problems_of(small)
    assert any(p.file == name and "could not be read" in p.message for p in err.problems)
    assert main(["check", str(small)]) == 1


# ---------------------------------------------------------------- open vocabularies (issue 7)

def test_the_users_own_plans_segments_channels_and_touchpoints_load(small):
    c = read_raw(small, "customers")
    c["plan"] = c["plan"].map({"starter": "ライト", "standard": "Pro", "premium": "Premium"})
    c["segment"] = c["segment"].map({"smb": "SMB", "mid_market": "中堅", "enterprise": "ＥＮＴ"})
    c.loc[0, "region"] = "ｶﾝｻｲ"  # half-width katakana: folded to full width, like any label
    write_raw(small, "customers", c)
    t = read_raw(small, "tickets")
    t.loc[:2, "channel"] = ["LINE", "Slack", "Email"]
    t.loc[:1, "team"] = ["大阪サポート", "Tokyo"]
    t.loc[:1, "category"] = ["請求", "Bug"]
    write_raw(small, "tickets", t)
    s = read_raw(small, "surveys")
    s.loc[:1, "touchpoint"] = ["onboarding", "オンボーディング"]
    write_raw(small, "surveys", s)
    ds = csa.load(small)
    # the user's values as written (full width made half width); the handbook's own values matched without case
    assert set(ds.customers["plan"]) == {"ライト", "Pro", "premium"}
    assert set(ds.customers["segment"]) == {"smb", "中堅", "ENT"}
    assert ds.customers.loc[0, "region"] == "カンサイ"
    assert ds.tickets["channel"].tolist()[:3] == ["LINE", "Slack", "email"]
    assert ds.tickets["team"].tolist()[:2] == ["大阪サポート", "Tokyo"]  # no known teams: case kept
    assert ds.tickets["category"].tolist()[:2] == ["請求", "Bug"]
    assert ds.surveys["touchpoint"].tolist()[:2] == ["onboarding", "オンボーディング"]
    norm = ds.sources["customers"].normalizations
    assert norm[("plan", "upper case made lower case")] == (c["plan"] == "Premium").sum()
    assert norm[("segment", "full-width characters made half-width")] == (c["segment"] == "ＥＮＴ").sum()
    for col in ("plan", "segment", "region"):
        assert str(ds.customers[col].dtype) == "str"


def test_a_mapping_still_renames_open_values(small):
    c = read_raw(small, "customers")
    c["plan"] = c["plan"].map({"starter": "ライト", "standard": "スタンダード", "premium": "プレミアム"})
    write_raw(small, "customers", c)
    ds = csa.load(small, mapping={"customers": {"values": {"plan": {"ライト": "starter", "スタンダード": "standard",
                                                                    "プレミアム": "premium"}}}})
    assert set(ds.customers["plan"]) == {"starter", "standard", "premium"}
    assert ds.sources["customers"].normalizations[("plan", "values renamed by the mapping")] == len(c)


@pytest.mark.parametrize("table,column,value", [("tickets", "status", "pending"), ("tickets", "priority", "P1"),
                                                ("surveys", "survey", "enps")])
def test_closed_sets_still_refuse_other_values_and_can_be_mapped(small, table, column, value):
    df = read_raw(small, table)
    canonical = df.loc[0, column]
    df.loc[0, column] = value
    write_raw(small, table, df)
    p = the_problem(problems_of(small), column, "not allowed")
    assert p.rows == [2] and p.values == [value]
    ds = csa.load(small, mapping={table: {"values": {column: {value: canonical}}}})
    assert getattr(ds, table).loc[0, column] == canonical


def test_known_values_have_labels_and_an_order():
    from csa import schema
    from csa.labels import t, table

    for tab in schema.TABLES.values():
        for col in tab.columns:
            for v in col.known or ():
                assert v in table("common"), f"{tab.name}.{col.name}: no label for the known value {v!r}"
    assert schema.order("customers", "segment", ["中堅", "enterprise", "smb"]) == ["smb", "enterprise", "中堅"]
    assert t("Pro", "ja") == "Pro" and t("中堅", "en") == "中堅"  # others shown as written


@pytest.mark.slow
def test_nps_notebook_shows_the_users_own_plans_and_segments(tmp_path):
    """Issue 7: plans "Pro" and "ライト" and a segment "中堅" load, and the NPS notebook shows them."""
    nbformat = pytest.importorskip("nbformat")
    papermill = pytest.importorskip("papermill")
    data = tmp_path / "exports"
    data.mkdir()
    for f in SAMPLE.glob("*.csv"):
        (data / f.name).write_bytes(f.read_bytes())
    c = read_raw(data, "customers")
    c["plan"] = c["plan"].map({"starter": "ライト", "standard": "Pro", "premium": "Enterprise+"})
    c["segment"] = c["segment"].map({"smb": "小規模", "mid_market": "中堅", "enterprise": "大手"})
    c.to_csv(data / "customers.csv", index=False, encoding="cp932")
    ds = csa.load(data)
    assert set(ds.customers["plan"]) == {"ライト", "Pro", "Enterprise+"}
    s = ds.surveys[ds.surveys["survey"] == "nps"].merge(ds.customers, on="customer_id")
    s = s[(s["responded_at"].dt.strftime("%Y-%m") == "2026-10") & (s["plan"] == "Pro") & (s["segment"] == "中堅")]
    expected = 100 * ((s["score"] >= 9).mean() - (s["score"] <= 6).mean())
    out = tmp_path / "out.ipynb"
    nb_path = ROOT / "notebooks" / "01_nps.ipynb"
    papermill.execute_notebook(str(nb_path), str(out), kernel_name="python3", cwd=str(nb_path.parent),
                               progress_bar=False,
                               parameters={"data_dir": str(data), "plan": "Pro", "segment": "中堅", "lang": "ja"})
    nb = nbformat.read(out, as_version=4)
    texts = "\n".join(o["data"].get("text/markdown", "") + o["data"].get("text/html", "")
                      for cell in nb.cells for o in cell.get("outputs", []) if "data" in o)
    assert "プラン = Pro" in texts and "セグメント = 中堅" in texts
    assert "**2026-10のNPS：" + f"{expected:+.1f}**".replace("-", "\u2212") in texts  # the sentences' minus sign
    assert "中堅" in texts.split("セグメント = 中堅", 1)[1]  # the follow-up lists show the segment as written


def test_problem_without_row_numbers_still_shows_its_example_values():
    p = csa.Problem("surveys", "(duckdb)", "NPS scores must be whole numbers 0–10", "filter first", column="score",
                    n_rows=3, values=[11, -1])
    assert "[3 rows; e.g. 11, -1]" in str(p)


# ---------------------------------------------------------------- the fast paths give what the careful path gives

def _edit(table, column, rows, value):
    def edit(folder):
        df = read_raw(folder, table)
        df.loc[rows, column] = value
        write_raw(folder, table, df)
    return edit


def _rewrite(table, **kw):
    def edit(folder):
        write_raw(folder, table, read_raw(folder, table), **kw)
    return edit


def _append_text(table, text):
    def edit(folder):
        with open(folder / f"{table}.csv", "a", encoding="utf-8") as fh:
            fh.write(text)
    return edit


EDITS = {
    "clean": lambda folder: None,
    "cp932": _rewrite("surveys", encoding="cp932"),
    "utf-8 with BOM": _rewrite("tickets", encoding="utf-8-sig"),
    "full-width score": _edit("surveys", "score", [0, 3], "１０"),
    "spaces around an id": _edit("tickets", "ticket_id", [1], " T0000002 "),
    "ideographic space at an end": _edit("customers", "region", [2], "関東\u3000"),
    "separator in an amount": _edit("orders", "amount", [0], "1,234"),
    "yen sign": _edit("orders", "amount", [1], "¥5,000"),
    "Excel timestamp": _edit("tickets", "created_at", [0, 5], "2026/3/1 9:05"),
    "naive ISO timestamps": _edit("tickets", "created_at", slice(None), "2026-03-01T09:05:00"),
    "one naive timestamp": _edit("tickets", "created_at", [4], "2026-03-01 09:05:00"),
    "impossible date": _edit("surveys", "responded_at", [2], "2026-02-30T10:00:00+09:00"),
    "year 2300": _edit("surveys", "responded_at", [3], "2300-01-01T10:00:00+09:00"),
    "upper-case category": _edit("tickets", "channel", [0, 1], "Email"),
    "short month": _edit("subscriptions", "month", [0], "2026-3"),
    "month with a slash": _edit("subscriptions", "month", [1], "2026/03"),
    "flags written True and はい": _edit("tickets", "reopened", [0, 1], ["True", "はい"]),
    "not a flag": _edit("tickets", "is_complaint", [2], "maybe"),
    "category not allowed": _edit("tickets", "priority", [3], "urgent!"),
    "open category in upper case": _edit("customers", "plan", [0], "Premium"),
    "timestamps with fractions": _edit("tickets", "resolved_at", [0], "2026-03-01T10:00:00.250+09:00"),
    "offset without colon": _edit("tickets", "resolved_at", slice(None), "2026-03-31T10:00:00+0900"),
    "duplicate id": _edit("tickets", "ticket_id", [1], "T0000001"),
    "unknown customer": _edit("orders", "customer_id", [0], "C99999"),
    "quoted empty value": _append_text("goals", ""),
    "comment with comma, quote and line break": _edit("surveys", "comment", [0], 'a, "b"\nc'),
    "NUL in a value": _edit("surveys", "comment", [0], "a\x00b"),
    "ragged row": _append_text("orders", "O9999999,C00001\n"),
    "trailing delimiter": _append_text("orders", "O9999999,C00001,2026-03-01T10:00:00+09:00,100,0.5,x,\n"),
    "blank line before the header": lambda folder: (folder / "goals.csv").write_bytes(
        b"\n" + (folder / "goals.csv").read_bytes()),
    "repeated header name": lambda folder: (folder / "goals.csv").write_text(
        (folder / "goals.csv").read_text(encoding="utf-8").replace("customer_id", "attempt_id", 1), encoding="utf-8"),
}


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("tz", ["Asia/Tokyo", "America/New_York"])
def test_fast_paths_give_what_the_careful_path_gives(small, edit, tz):
    """Arrow's fast paths (reading, normalising, converting, checking) change nothing: the same tables,
    problems, counts and sources as the careful path, on clean files and on each kind of trouble."""
    from unittest.mock import patch

    from csa import io as csa_io
    from csa.io import fast as fast_paths

    EDITS[edit](small)
    fast = csa_io.inspect(small, tz=tz)
    with patch.object(fast_paths, "_FAST", False):  # the flag every fast path reads
        careful = csa_io.inspect(small, tz=tz)
    assert [str(p) for p in fast.problems] == [str(p) for p in careful.problems]
    assert fast.tables.keys() == careful.tables.keys()
    for name in fast.tables:
        pd.testing.assert_frame_equal(fast.tables[name], careful.tables[name], check_exact=True)
    assert fast.sources == careful.sources
    assert (fast.window, fast.last_month) == (careful.window, careful.last_month)
    if edit == "clean":
        assert not fast.problems
