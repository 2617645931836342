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

def test_sample_loads_all_six_tables_typed():
    ds = csa.load(SAMPLE)
    assert set(ds.tables()) == {"customers", "subscriptions", "orders", "tickets", "surveys", "goals"}
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
    for t in ("subscriptions", "orders", "tickets", "surveys", "goals"):
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
    typed.loc[[1, 4], "handle_time_min"] = float("nan")
    typed.to_parquet(small / "tickets.parquet")
    p = the_problem(problems_of(small), "handle_time_min", "required value is missing")
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
    t.loc[0, "channel"] = "fax"
    t.loc[1, "reopened"] = "maybe"
    t.loc[2, "channel"] = "Email"  # case is folded, and counted
    t.loc[3, "channel"] = "ＦＡＸ"  # messages show the value as written in the file
    write_raw(small, "tickets", t)
    err = problems_of(small)
    assert the_problem(err, "channel", "not allowed").values == ["fax", "ＦＡＸ"]
    assert the_problem(err, "reopened", "true/false").rows == [3]


def test_every_problem_is_listed_not_only_the_first(small):
    t = read_raw(small, "tickets")
    t.loc[0, "channel"] = "fax"
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
    t.loc[0, "channel"] = "fax"
    write_raw(small, "tickets", t)
    assert main(["check", str(small)]) == 1
    out = capsys.readouterr().out
    assert "PROBLEMS: 1" in out and "'channel'" in out and "fax" in out
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
