"""Issue 7, loader half: inputs that used to lose rows, show wrong values or crash without a listed problem.

Each test reproduces one case of the issue. Every case must end in a correct load or in a
:class:`csa.DataError` whose problems name the file, the column (when there is one), the rows
and the cause, never in another exception and never in a silent loss.
"""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

import csa
from csa.cli import main

from .conftest import ROOT, read_raw, write_raw

ZENDESK = ROOT / "data" / "mappings" / "zendesk_ja_tickets.yaml"


def problems_of(folder, **kw) -> csa.DataError:
    with pytest.raises(csa.DataError) as info:
        csa.load(folder, **kw)
    return info.value


def one(err: csa.DataError, text: str, *, file: str | None = None, column: str | None = None):
    """The one problem whose message contains ``text`` (and names ``file`` / ``column`` if given)."""
    hits = [p for p in err.problems if text in p.message and (file is None or p.file == file)
            and (column is None or p.column == column)]
    assert len(hits) == 1, f"no single problem with {text!r} (file {file}, column {column}) in:\n{err}"
    return hits[0]


def check_output(folder, capsys, *args) -> tuple[int, str]:
    code = main(["check", str(folder), *args])
    cap = capsys.readouterr()
    return code, cap.out + cap.err


# ---------------------------------------------------------------- Excel: rows on a second sheet

def test_xlsx_rows_continued_on_a_second_sheet_are_named_not_lost(small, capsys):
    pytest.importorskip("openpyxl")
    df = read_raw(small, "customers")
    (small / "customers.csv").unlink()
    with pd.ExcelWriter(small / "customers.xlsx") as xw:
        df.iloc[:40].to_excel(xw, sheet_name="Sheet1", index=False)
        df.iloc[40:].to_excel(xw, sheet_name="Sheet2", index=False)
        pd.DataFrame().to_excel(xw, sheet_name="Sheet3", index=False)  # an empty sheet is no loss
    p = one(problems_of(small), "other sheets", file="customers.xlsx")
    assert "'Sheet2'" in p.message and f"{len(df) - 40} rows" in p.message and "Sheet3" not in p.message
    assert "sheet:" in p.fix
    code, out = check_output(small, capsys)
    assert code == 1 and "Sheet2" in out


def test_xlsx_sheet_named_in_the_mapping_is_read_and_the_others_are_left_on_purpose(small):
    pytest.importorskip("openpyxl")
    df = read_raw(small, "customers")
    (small / "customers.csv").unlink()
    with pd.ExcelWriter(small / "customers.xlsx") as xw:
        pd.DataFrame({"note": ["exported from CRM"]}).to_excel(xw, sheet_name="README", index=False)
        df.to_excel(xw, sheet_name="data", index=False)
    ds = csa.load(small, mapping={"customers": {"sheet": "data"}})
    assert len(ds.customers) == len(df)
    err = problems_of(small, mapping={"customers": {"sheet": "Data2"}})
    assert "'data'" in one(err, "no sheet named 'Data2'", file="customers.xlsx").message


# ---------------------------------------------------------------- encodings mixed in one file

def test_cp932_file_with_one_utf8_row_is_a_problem_naming_the_row(small, capsys):
    df = read_raw(small, "customers")
    df.loc[:, "name"] = "株式会社" + df["name"].str[-4:]
    write_raw(small, "customers", df, encoding="cp932")
    raw = (small / "customers.csv").read_bytes().split(b"\n")
    raw[5] = raw[5].decode("cp932").encode("utf-8")  # spreadsheet row 6 pasted from a UTF-8 file
    (small / "customers.csv").write_bytes(b"\n".join(raw))
    p = one(problems_of(small), "encoding", file="customers.csv")
    assert p.rows == [6] and p.n_rows == 1 and "cp932" in p.message and "UTF-8" in p.message
    code, out = check_output(small, capsys)
    assert code == 1 and "row 6" in out


def test_utf8_file_with_one_cp932_row_is_a_problem_naming_the_row(small):
    df = read_raw(small, "customers")
    write_raw(small, "customers", df)
    raw = (small / "customers.csv").read_bytes().split(b"\n")
    raw[3] = raw[3].decode("utf-8").encode("cp932")
    (small / "customers.csv").write_bytes(b"\n".join(raw))
    p = one(problems_of(small), "encoding", file="customers.csv")
    assert p.rows == [4] and "cp932" in p.message


# ---------------------------------------------------------------- timestamps out of range

@pytest.mark.parametrize("when", ["2300-01-01T10:00:00+09:00", "1500-06-01T10:00:00+09:00",
                                  "2300-01-01 10:00", "1500/06/01 10:00"])
def test_timestamp_outside_pandas_range_is_a_problem_not_a_crash(small, when):
    t = read_raw(small, "tickets")
    t.loc[3, "created_at"] = when
    write_raw(small, "tickets", t)
    p = one(problems_of(small), "outside", file="tickets.csv", column="created_at")
    assert p.rows == [5] and p.values == [when]


def test_dates_and_months_far_outside_are_problems(small):
    c = read_raw(small, "customers")
    c.loc[0, "signup_date"] = "1500-01-01"
    write_raw(small, "customers", c)
    s = read_raw(small, "subscriptions")
    s.loc[2, "month"] = "2300-01"
    write_raw(small, "subscriptions", s)
    err = problems_of(small)
    assert one(err, "before", column="signup_date").rows == [2]
    assert one(err, "after", column="month").rows == [4]


def test_survey_dated_2099_or_1900_is_a_problem_unless_the_window_is_widened(small, capsys):
    s = read_raw(small, "surveys")
    s.loc[1, "responded_at"] = "2099-12-01T10:00:00+09:00"
    s.loc[2, "responded_at"] = "1900-01-01T10:00:00+09:00"
    write_raw(small, "surveys", s)
    err = problems_of(small)
    late = one(err, "after", column="responded_at")
    early = one(err, "before", column="responded_at")
    assert late.rows == [3] and early.rows == [4]
    last = csa.load(small, time_window=("1900-01", "2099-12")).surveys["responded_at"].drop([1, 2]).max()
    assert last.strftime("%Y-%m") in late.message  # names the data's last month
    assert "time_window" in late.fix and "2000-01" in early.message
    ds = csa.load(small, time_window=("1900-01", "2099-12"))
    assert ds.surveys.loc[1, "responded_at"].year == 2099 and ds.surveys.loc[2, "responded_at"].year == 1900
    code, out = check_output(small, capsys)
    assert code == 1 and "2099-12-01" in out


def test_a_straggler_just_after_the_data_is_fine_but_a_year_later_is_not(small):
    s = read_raw(small, "surveys")
    last = pd.Period(pd.Timestamp(s["responded_at"].max()).strftime("%Y-%m"), "M")
    s.loc[0, "responded_at"] = f"{last + 1}-15T10:00:00+09:00"  # exported early the next month
    write_raw(small, "surveys", s)
    csa.load(small)
    s.loc[0, "responded_at"] = f"{last + 12}-15T10:00:00+09:00"  # a typo in the year
    write_raw(small, "surveys", s)
    assert one(problems_of(small), "after", column="responded_at").rows == [2]


def test_resolution_dated_far_in_the_future_is_a_problem(small):
    t = read_raw(small, "tickets")
    i = t.index[t["resolved_at"] != ""][0]
    t.loc[i, "resolved_at"] = "2099-01-01T10:00:00+09:00"
    write_raw(small, "tickets", t)
    assert one(problems_of(small), "after", column="resolved_at").rows == [int(i) + 2]


def test_time_window_is_checked(small):
    for bad in [("2000",), ("2026-13", None), ("x", None), ("2026-10", "2026-01")]:
        with pytest.raises(ValueError, match="time_window"):
            csa.load(small, time_window=bad)


# ---------------------------------------------------------------- misspelt and unmapped columns

def test_unmapped_japanese_comment_column_is_a_problem_not_an_empty_column(small):
    s = read_raw(small, "surveys").rename(columns={"comment": "コメント"})
    write_raw(small, "surveys", s)
    p = one(problems_of(small), "looks like", file="surveys.csv", column="comment")
    assert "'コメント'" in p.message and "コメント: comment" in p.fix


def test_upper_case_csm_column_is_a_problem(small):
    c = read_raw(small, "customers").rename(columns={"csm": "CSM"})
    write_raw(small, "customers", c)
    p = one(problems_of(small), "looks like", file="customers.csv", column="csm")
    assert "'CSM'" in p.message


def test_look_alike_mapped_to_itself_is_kept_as_an_extra_column(small):
    s = read_raw(small, "surveys").rename(columns={"comment": "コメント"})
    write_raw(small, "surveys", s)
    ds = csa.load(small, mapping={"surveys": {"columns": {"コメント": "コメント"}}})
    assert ds.surveys["comment"].isna().all() and ds.surveys["コメント"].notna().any()
    ds = csa.load(small, mapping={"surveys": {"columns": {"コメント": "comment"}}})
    assert ds.surveys["comment"].notna().any()


def test_missing_required_column_suggests_the_look_alike(small):
    t = read_raw(small, "tickets").rename(columns={"created_at": "Created At"})
    write_raw(small, "tickets", t)
    p = one(problems_of(small), "required column missing", column="created_at")
    assert "'Created At'" in p.message


def test_mapping_keys_that_match_no_column_are_reported(small):
    s = read_raw(small, "surveys").drop(columns=["comment"])
    write_raw(small, "surveys", s)
    p = one(problems_of(small, mapping={"surveys": {"columns": {"コメント": "comment"}}}), "'コメント'",
            file="surveys.csv")
    assert "no column" in p.message and p.column == "comment"


def test_mapping_values_for_a_column_that_does_not_exist_are_reported(small):
    err = problems_of(small, mapping={"surveys": {"values": {"touchpont": {"購入後": "post_purchase"}}}})
    assert "touchpoint" in one(err, "'touchpont'").message  # did you mean …


def test_mapping_key_for_a_column_the_file_already_has_is_harmless(small):
    # a mapping written for two versions of an export: the key that does not occur does no harm
    ds = csa.load(small, mapping={"tickets": {"columns": {"チャネル": "channel"}}})
    assert ds.tickets["channel"].notna().all()


def test_mapping_for_a_table_without_a_file_is_reported(small):
    (small / "goals.csv").unlink()
    p = one(problems_of(small, mapping={"goals": {"columns": {"目標": "goal"}}}), "no file", file="goals.csv")
    assert p.table == "goals"


# ---------------------------------------------------------------- file names and links

def test_file_names_match_case_insensitively(small):
    (small / "tickets.csv").rename(small / "Tickets.CSV")
    ds = csa.load(small)
    assert ds.tickets is not None and ds.sources["tickets"].file == "Tickets.CSV"


def test_near_miss_file_name_is_named(small, capsys):
    (small / "tickets.csv").rename(small / "ticket.csv")
    (small / "surveys.csv").rename(small / "surveys_2026-10.csv")
    err = problems_of(small)
    assert "ticket.csv" in one(err, "tickets", file="ticket.csv").message
    assert one(err, "surveys", file="surveys_2026-10.csv").table == "surveys"
    code, out = check_output(small, capsys)
    assert code == 1 and "ticket.csv" in out


def test_dangling_symlink_is_a_problem(small, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "surveys.csv"
    (small / "surveys.csv").rename(elsewhere)
    os.symlink(elsewhere, small / "surveys.csv")
    assert len(csa.load(small).surveys) > 0  # a working link is read
    elsewhere.unlink()
    p = one(problems_of(small), "link", file="surveys.csv")
    assert str(elsewhere) in p.message


def test_a_folder_named_like_a_table_is_a_problem(small):
    (small / "goals.csv").unlink()
    (small / "goals.csv").mkdir()
    one(problems_of(small), "folder", file="goals.csv")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_a_problem(small):
    (small / "goals.csv").chmod(0)
    one(problems_of(small), "could not be read", file="goals.csv")


# ---------------------------------------------------------------- header and delimiter faults

def test_duplicate_header_names_are_a_problem_naming_them(small):
    s = read_raw(small, "surveys")
    s.insert(len(s.columns), "score_dup", s["score"])
    text = s.to_csv(index=False).replace("score_dup", "score", 1)
    (small / "surveys.csv").write_text(text, encoding="utf-8")
    p = one(problems_of(small), "twice", file="surveys.csv", column="score")
    assert "score.1" not in p.message


def test_trailing_comma_on_every_row_is_one_problem_naming_the_cause(small):
    lines = (small / "tickets.csv").read_text(encoding="utf-8").splitlines()
    (small / "tickets.csv").write_text("\n".join([lines[0]] + [ln + "," for ln in lines[1:]]) + "\n",
                                       encoding="utf-8")
    err = problems_of(small)
    ticket_problems = [p for p in err.problems if p.file == "tickets.csv"]
    assert len(ticket_problems) == 1, err
    assert "end with an extra comma" in ticket_problems[0].message


def test_trailing_comma_on_header_and_rows_loads(small):
    lines = (small / "goals.csv").read_text(encoding="utf-8").splitlines()
    (small / "goals.csv").write_text("\n".join(ln + "," for ln in lines) + "\n", encoding="utf-8")
    ds = csa.load(small)
    assert list(ds.goals.columns) == [c.name for c in csa.schema.TABLES["goals"].columns]
    assert ds.sources["goals"].normalizations[("(no name)", "empty column without a name left out")] == 1


def test_unnamed_column_holding_values_is_a_problem(small):
    g = read_raw(small, "goals")
    g[""] = "x"
    write_raw(small, "goals", g)
    one(problems_of(small), "no name", file="goals.csv")


def test_one_value_more_than_the_header_on_every_row_is_named(small):
    lines = (small / "goals.csv").read_text(encoding="utf-8").splitlines()
    (small / "goals.csv").write_text("\n".join([lines[0]] + [ln + ",extra" for ln in lines[1:]]) + "\n",
                                     encoding="utf-8")
    one(problems_of(small), "one value more than the header", file="goals.csv")


def test_nul_bytes_are_a_problem_naming_the_rows(small):
    raw = (small / "customers.csv").read_bytes().split(b"\n")
    raw[4] = raw[4].replace(b",", b"\x00,", 1)
    (small / "customers.csv").write_bytes(b"\n".join(raw))
    p = one(problems_of(small), "NUL", file="customers.csv")
    assert p.rows == [5] and p.n_rows == 1


def test_nul_bytes_in_parquet_text_are_a_problem(small):
    c = read_raw(small, "customers")
    c.loc[2, "name"] = "株式会社\x00"
    (small / "customers.csv").unlink()
    c.to_parquet(small / "customers.parquet")
    p = one(problems_of(small), "NUL", file="customers.parquet", column="name")
    assert p.rows == [4]


def test_utf16_without_bom_is_read(small):
    text = (small / "customers.csv").read_text(encoding="utf-8")
    (small / "customers.csv").write_bytes(text.encode("utf-16-le"))
    assert len(csa.load(small).customers) == len(read_raw_text(text))


def read_raw_text(text: str) -> list[str]:
    return text.strip().splitlines()[1:]


# ---------------------------------------------------------------- malformed mapping files

@pytest.mark.parametrize("yaml_text,expect", [
    ("tickets:\n  columns: [チケットID, ticket_id]\n", "columns"),
    ("tickets:\n  values: [電話, phone]\n", "values"),
    ("tickets:\n  values:\n    channel: [電話, phone]\n", "channel"),
    ("tickets:\n  columns:\n    チケットID: [ticket_id]\n", "チケットID"),
    ("tickets:\n  columns:\n    チケットID:\n", "チケットID"),
    ("tickets:\n  file: [a.csv]\n", "file"),
    ("- tickets\n", "map table names"),
    ("tickets:\n  columns: {a: ticket_id}\n  columns: {b: ticket_id}\n", "twice"),
])
def test_malformed_mapping_shapes_are_problems(small, tmp_path_factory, capsys, yaml_text, expect):
    m = tmp_path_factory.mktemp("m") / "mapping.yaml"
    m.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(csa.DataError) as info:
        csa.load(small, mapping=m)
    assert expect in str(info.value) and "mapping.yaml" in str(info.value)
    code, out = check_output(small, capsys, "--mapping", str(m))
    assert code == 2 and expect in out


def test_mapping_naming_a_folder_or_nothing(small, capsys):
    for target, text in ((small, "is a folder"), (small / "nope.yaml", "not found")):
        with pytest.raises(csa.DataError, match=text):
            csa.load(small, mapping=target)
        code, out = check_output(small, capsys, "--mapping", str(target))
        assert code == 2 and text in out


def test_mapping_saved_in_cp932_is_read(small, tmp_path_factory):
    t = read_raw(small, "tickets").rename(columns={"channel": "チャネル"})
    t["チャネル"] = t["チャネル"].map({"phone": "電話", "email": "メール", "chat": "チャット", "web_form": "フォーム"})
    write_raw(small, "tickets", t)
    m = tmp_path_factory.mktemp("m") / "mapping.yaml"
    m.write_bytes("tickets:\n  columns: {チャネル: channel}\n  values:\n    channel: {電話: phone, メール: email, "
                  "チャット: chat, フォーム: web_form}\n".encode("cp932"))
    ds = csa.load(small, mapping=m)
    assert set(ds.tickets["channel"]) <= {"phone", "email", "chat", "web_form"}


def test_undecodable_mapping_names_the_file(small, tmp_path_factory):
    m = tmp_path_factory.mktemp("m") / "mapping.yaml"
    m.write_bytes(b"tickets:\n  columns: {\x81\xff\xfe: channel}\n" + bytes(range(128, 256)))
    with pytest.raises(csa.DataError, match=r"mapping\.yaml"):
        csa.load(small, mapping=m)


def test_huge_mapping_is_refused_before_parsing(small, tmp_path_factory):
    m = tmp_path_factory.mktemp("m") / "mapping.yaml"
    with open(m, "w", encoding="utf-8") as fh:
        fh.write("tickets:\n  columns:\n" + "".join(f"    c{i}: ticket_id\n" for i in range(1000)))
        fh.truncate(40_000_000)  # 40 MB, as in the issue (sparse: quick to write)
    t0 = time.perf_counter()
    with pytest.raises(csa.DataError, match="MB") as info:
        csa.load(small, mapping=m)
    assert time.perf_counter() - t0 < 1.0
    assert "mapping.yaml" in str(info.value) and "40.0 MB" in str(info.value)


def test_yaml_booleans_and_numbers_in_value_mappings_are_text(small):
    t = read_raw(small, "tickets")
    t["reopened"] = t["reopened"].map({"true": "Y", "false": "N"})
    t["priority"] = t["priority"].map({"low": "1", "normal": "2", "high": "3", "urgent": "4"})
    write_raw(small, "tickets", t)
    import yaml

    spec = yaml.safe_load("tickets:\n  values:\n    reopened: {Y: yes, N: no}\n"
                          "    priority: {1: low, 2: normal, 3: high, 4: urgent}\n")
    ds = csa.load(small, mapping=spec)
    assert ds.tickets["priority"].isin(["low", "normal", "high", "urgent"]).all()
    assert ds.tickets["reopened"].notna().all()


# ---------------------------------------------------------------- found by tests/test_fuzz.py

def test_short_utc_offsets_are_read_and_a_mix_with_offset_free_values_is_listed(small):
    t = read_raw(small, "tickets")
    want = csa.load(small).tickets["created_at"]
    t["created_at"] = t["created_at"].str.replace(r":00$", "", regex=True)  # +09:00 → +09
    write_raw(small, "tickets", t)
    pd.testing.assert_series_equal(csa.load(small).tickets["created_at"], want)
    t.loc[0, "created_at"] = "2026-10-01T10:00:00+09"
    t.loc[1:, "created_at"] = t.loc[1:, "created_at"].str.replace(r"\+09$", "", regex=True)
    t.loc[1, "created_at"] = "2026-10-01 10:00:00+09"
    write_raw(small, "tickets", t)
    p = one(problems_of(small), "unparseable", column="created_at")
    assert p.rows == [2, 3] and p.values == ["2026-10-01T10:00:00+09", "2026-10-01 10:00:00+09"]
