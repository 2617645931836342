"""Issue 25, loader half: rows swallowed by a stray quote, duplicate months, decimal commas, contradictions
between tables, absurd magnitudes, hostile files and YAML.

Each case is generated from the small sample at test time. Every case must end in a correct load or in
a listed problem naming the file, the column (when there is one), the rows or lines and the cause.
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np
import pandas as pd
import pytest

import csa
import csa.io.fast
import csa.io.files
from csa.cli import main

from .conftest import read_raw, write_raw


def problems_of(folder, **kw) -> csa.DataError:
    with pytest.raises(csa.DataError) as info:
        csa.load(folder, **kw)
    return info.value


def one(problems, text: str, *, file: str | None = None, column: str | None = None):
    """The one problem whose message contains ``text`` (and names ``file`` / ``column`` if given)."""
    problems = getattr(problems, "problems", problems)
    hits = [p for p in problems if text in p.message and (file is None or p.file == file)
            and (column is None or p.column == column)]
    assert len(hits) == 1, f"no single problem with {text!r} (file {file}, column {column}) in:\n" + "\n".join(
        map(str, problems))
    return hits[0]


def check_output(folder, capsys, *args) -> tuple[int, str]:
    code = main(["check", str(folder), *args])
    cap = capsys.readouterr()
    return code, cap.out + cap.err


def lines_of(folder, table: str) -> list[str]:
    return (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines(keepends=True)


def write_lines(folder, table: str, lines: list[str]) -> None:
    (folder / f"{table}.csv").write_text("".join(lines), encoding="utf-8")


both_paths = pytest.mark.parametrize("fast", [True, False], ids=["arrow", "careful"])


# ---------------------------------------------------------------- rows counted, not trusted

@both_paths
def test_a_stray_quote_at_the_end_of_a_row_swallowing_the_rest_is_named_with_its_line(small, capsys, fast,
                                                                                        monkeypatch):
    monkeypatch.setattr(csa.io.fast, "_FAST", fast)
    lines = lines_of(small, "surveys")
    lines[5] = lines[5].rstrip("\n") + '"\n'  # line 6: the comment opens a quote that never closes
    write_lines(small, "surveys", lines)
    result = csa.io.inspect(small)
    if fast:
        p = one(result.problems, "quoted value spans", file="surveys.csv", column="comment")
        assert "line 6" in p.message and "runs to the end of the file" in p.message
        assert f"{len(lines) - 6:,} whole rows" in p.message and p.rows == [6] and "line 6" in p.fix
    else:  # pandas refuses a quote left open at the end of the file
        one(result.problems, "not a well-formed CSV", file="surveys.csv")
    code, out = check_output(small, capsys)
    assert code == 1 and "surveys.csv" in out


@both_paths
def test_a_stray_quote_closed_far_away_is_named_with_both_lines(small, capsys, fast, monkeypatch):
    monkeypatch.setattr(csa.io.fast, "_FAST", fast)
    lines = lines_of(small, "surveys")
    lines[5] = lines[5].rstrip("\n") + '"\n'
    lines[40] = lines[40].rstrip("\n") + 'x"\n'  # a second stray quote closes it on line 41
    write_lines(small, "surveys", lines)
    result = csa.io.inspect(small)
    assert result.sources["surveys"].rows == len(lines) - 1 - 35
    p = one(result.problems, "quoted value spans 36 lines", file="surveys.csv", column="comment")
    assert "from line 6" in p.message and "closes only on line 41" in p.message and "35 whole rows" in p.message
    code, out = check_output(small, capsys)
    assert code == 1 and "line 6" in out
    row = next(ln for ln in out.splitlines() if ln.startswith("surveys "))
    assert f"{len(lines) - 36:,}" in row and "lines of the file not read as rows: see the problems" in row


def test_line_breaks_inside_quoted_values_and_blank_lines_are_counted_not_listed(small):
    s = read_raw(small, "surveys")
    s.loc[3, "comment"] = "line one\nline two\n\nline four"
    s.loc[7, "comment"] = "a\r\nb"
    write_raw(small, "surveys", s)
    lines = lines_of(small, "surveys")
    lines[30:30] = ["\n", "\r\n"]
    lines.append("\n")
    write_lines(small, "surveys", lines)
    ds = csa.load(small)
    assert len(ds.surveys) == len(s) and ds.surveys.loc[3, "comment"] == "line one\nline two\n\nline four"


@both_paths
def test_blank_and_whitespace_only_lines_are_counted_not_listed(small, fast, monkeypatch):
    monkeypatch.setattr(csa.io.fast, "_FAST", fast)
    lines = lines_of(small, "goals")
    lines[5:5] = ["   \n", "\t\n", "\r\n"]
    write_lines(small, "goals", lines)
    assert len(csa.load(small).goals) == len(lines) - 4


@pytest.mark.parametrize("drop,lines", [([0, 1, 2], "line 2, 3, 4"), ([10, 11], "line 12, 13")])
def test_rows_a_parser_loses_are_listed_with_their_lines(small, monkeypatch, drop, lines):
    real = csa.io.files._arrow_file

    def lossy(path, sep):  # a reader that drops rows without a word
        got = real(path, sep)
        return None if got is None else (got[0].drop(index=drop).reset_index(drop=True), got[1])

    monkeypatch.setattr(csa.io.files, "_arrow_file", lossy)
    p = one(problems_of(small), "not in the table", file="goals.csv")
    assert f"{len(drop)} lines are not in the table ({lines})" in p.message and f"at {lines.split(',')[0]}" in p.fix
    assert f"{len(lines_of(small, 'goals')):,} lines" in p.message and p.values[0].startswith("G")


def test_a_long_multi_line_value_without_rows_inside_is_a_warning(small, capsys):
    s = read_raw(small, "surveys")
    s.loc[4, "comment"] = "\n".join(["ok"] * 150)  # 150 lines in one comment: a stray quote, or a pasted log
    s.loc[9, "comment"] = "long line\n" + "x" * 20_000  # far longer than the other comments
    write_raw(small, "surveys", s)
    result = csa.io.inspect(small)
    assert result.ok and len(result.dataset.surveys) == len(s)
    w = one(result.warnings, "spans 150 lines", file="surveys.csv", column="comment")
    assert w.rows == [6, 11] and "from line 6" in w.message and "2 such values" in w.message
    assert "e-mail body" in w.fix
    code, out = check_output(small, capsys)
    assert code == 0 and "WARNINGS: 1" in out and "spans 150 lines" in out


def test_a_file_without_line_breaks_is_refused_early_with_its_size(small, capsys):
    path = small / "tickets.csv"
    header = lines_of(small, "tickets")[0]
    with open(path, "wb") as fh:
        fh.write(header.encode())
        fh.write(b"T1," + b"x" * 1000)
        fh.truncate(200_000_000)  # 200 MB without a line break (sparse: quick to write)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = csa.io.inspect(small)
    assert time.perf_counter() - t0 < 2.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: not read whole
    p = one(result.problems, "without a line break", file="tickets.csv")
    assert "line 2" in p.message and "200.0 MB" in p.message
    code, out = check_output(small, capsys)
    assert code == 1 and "200.0 MB" in out


# ---------------------------------------------------------------- keys: one row per pair

def test_duplicate_customer_months_in_subscriptions_are_a_problem_with_counts(small, capsys):
    s = read_raw(small, "subscriptions")
    write_raw(small, "subscriptions", pd.concat([s, s.iloc[[3, 5, 5]]], ignore_index=True))
    p = one(problems_of(small), "same customer and month", file="subscriptions.csv")
    assert "2 pairs" in p.message and p.n_rows == 5 and p.rows[0] == 5
    assert p.values[0] == f"{s.loc[3, 'customer_id']} {s.loc[3, 'month']}" and "one row per customer" in p.fix
    code, out = check_output(small, capsys)
    assert code == 1 and "same customer and month" in out


def test_duplicate_team_months_in_support_costs_are_a_problem(small):
    c = read_raw(small, "support_costs")
    c.loc[len(c)] = c.loc[2]
    c.loc[len(c)] = [c.loc[0, "month"], "", "100"]
    c.loc[len(c)] = [c.loc[0, "month"], "", "200"]  # the unallocated cost twice in one month too
    write_raw(small, "support_costs", c)
    p = one(problems_of(small), "same month and team", file="support_costs.csv")
    assert "2 pairs" in p.message and p.n_rows == c.duplicated(["month", "team"], keep=False).sum() >= 4


def test_usage_keeps_one_row_per_customer_month_and_no_more_active_users_than_seats(small):
    u = read_raw(small, "usage")
    u.loc[len(u)] = u.loc[4]
    u.loc[7, "active_users"] = str(int(u.loc[7, "seats"]) + 3)
    write_raw(small, "usage", u)
    found = problems_of(small)
    p = one(found, "same customer and month", file="usage.csv")
    assert p.n_rows == 2 and p.values[0] == f"{u.loc[4, 'customer_id']} {u.loc[4, 'month']}"
    p = one(found, "more active users than seats", file="usage.csv", column="active_users")
    assert p.n_rows == 1 and p.rows == [9] and p.values == [f"{int(u.loc[7, 'seats']) + 3} active of "
                                                          f"{u.loc[7, 'seats']} seats"]
    assert "swapped" in p.fix


def test_usage_without_seats_or_with_an_unknown_customer(small):
    u = read_raw(small, "usage").drop(columns=["seats"])
    write_raw(small, "usage", u)
    ds = csa.load(small)
    assert "seats" not in ds.usage.columns or ds.usage["seats"].isna().all()
    u.loc[0, "customer_id"] = "C99999"
    write_raw(small, "usage", u)
    p = one(problems_of(small), "customer_id not found", file="usage.csv")
    assert p.values == ["C99999"]


def test_one_row_per_pair_loads(small):
    ds = csa.load(small)
    assert not ds.subscriptions.duplicated(["customer_id", "month"]).any()


# ---------------------------------------------------------------- numbers read as written

def test_decimal_comma_is_a_problem_never_a_thousands_separator(small, capsys):
    c = read_raw(small, "support_costs")
    c.loc[0, "amount"], c.loc[1, "amount"], c.loc[2, "amount"] = "4850000,5", "4,850,000", "1,23"
    write_raw(small, "support_costs", c)
    p = one(problems_of(small), "not a thousands separator", file="support_costs.csv", column="amount")
    assert p.n_rows == 3 and p.values == ["4850000,5", "4,850,000", "1,23"] and "decimal: ','" in p.fix
    code, out = check_output(small, capsys)
    assert code == 1 and "4850000,5" in out and "separators removed" not in out


def test_thousands_separators_in_groups_of_three_still_load(small):
    c = read_raw(small, "support_costs")
    c.loc[0, "amount"], c.loc[1, "amount"] = "4,850,000", "¥1,234,567.5"
    write_raw(small, "support_costs", c)
    ds = csa.load(small)
    assert ds.support_costs.loc[0, "amount"] == 4_850_000 and ds.support_costs.loc[1, "amount"] == 1_234_567.5
    c.loc[2, "amount"] = "48,50,000"  # not groups of three
    write_raw(small, "support_costs", c)
    assert one(problems_of(small), "not a number", column="amount").values == ["48,50,000"]


def test_decimal_comma_stated_in_the_mapping_is_read(small, tmp_path_factory):
    c = read_raw(small, "support_costs")
    c["amount"] = c["amount"].astype(float).map(lambda v: f"{v:.1f}".replace(".", ","))
    c.loc[0, "amount"], c.loc[1, "amount"] = "4850000,5", "4.850.000"
    write_raw(small, "support_costs", c)
    m = tmp_path_factory.mktemp("m") / "mapping.yaml"
    m.write_text("support_costs:\n  decimal: ','\n", encoding="utf-8")
    ds = csa.load(small, mapping=m)
    assert ds.support_costs.loc[0, "amount"] == 4_850_000.5 and ds.support_costs.loc[1, "amount"] == 4_850_000
    assert ds.sources["support_costs"].normalizations[("amount", "decimal commas read as decimal points "
                                                                 "(mapping: decimal: ',')")] == len(c)
    c.loc[2, "amount"] = "1.5"  # a decimal point where the mapping says comma: not guessed
    write_raw(small, "support_costs", c)
    assert one(problems_of(small, mapping=m), "not a number", column="amount").values == ["1.5"]
    with pytest.raises(csa.DataError, match="decimal"):
        csa.load(small, mapping={"support_costs": {"decimal": ";"}})


@pytest.mark.parametrize("table,column,value", [("orders", "amount", "1e300"), ("subscriptions", "mrr", "1e308"),
                                                ("tickets", "handle_time_min", "9e99")])
def test_absurd_magnitudes_are_problems_before_any_section(small, table, column, value):
    df = read_raw(small, table)
    df.loc[1, column] = value
    write_raw(small, table, df)
    p = one(problems_of(small), "implausibly large", file=f"{table}.csv", column=column)
    assert p.rows == [3] and p.values == [value]


# ---------------------------------------------------------------- rules between tables

def test_a_surveys_ticket_raised_by_another_customer_is_a_problem(small):
    s = read_raw(small, "surveys")
    t = read_raw(small, "tickets").set_index("ticket_id")
    customers = read_raw(small, "customers")["customer_id"]
    i = s.index[s["ticket_id"] != ""][:2]
    for k in i:
        s.loc[k, "customer_id"] = next(c for c in customers if c != t.loc[s.loc[k, "ticket_id"], "customer_id"])
    write_raw(small, "surveys", s)
    p = one(problems_of(small), "raised by another customer", file="surveys.csv", column="ticket_id")
    assert p.n_rows == 2 and p.rows == [int(k) + 2 for k in i] and s.loc[i[0], "ticket_id"] in p.values[0]


def test_a_survey_answered_before_its_ticket_existed_is_a_problem(small):
    s = read_raw(small, "surveys")
    t = read_raw(small, "tickets").set_index("ticket_id")
    k = s.index[s["ticket_id"] != ""][0]
    created = pd.Timestamp(t.loc[s.loc[k, "ticket_id"], "created_at"])
    s.loc[k, "responded_at"] = (created - pd.Timedelta(hours=2)).isoformat()
    write_raw(small, "surveys", s)
    p = one(problems_of(small), "before its ticket was created", file="surveys.csv", column="responded_at")
    assert p.rows == [int(k) + 2] and p.n_rows == 1


def test_orders_long_before_signup_are_a_warning_in_csa_check(small, capsys):
    c = read_raw(small, "customers").set_index("customer_id")
    o = read_raw(small, "orders")
    who = o.loc[0, "customer_id"]
    c.loc[who, "signup_date"] = (pd.Timestamp(o.loc[o["customer_id"] == who, "ordered_at"].min()[:10])
                                 + pd.Timedelta(days=60)).strftime("%Y-%m-%d")
    write_raw(small, "customers", c.reset_index())
    result = csa.io.inspect(small)
    assert result.ok  # a warning: the data can be used
    w = one(result.warnings, "before the customer's signup_date", file="orders.csv", column="ordered_at")
    assert w.n_rows >= 1 and who in w.values[0] and "31 days" in w.message
    code, out = check_output(small, capsys)
    assert code == 0 and "WARNINGS: " in out and who in out


def test_the_sample_breaks_no_rule_between_tables(sample_ds):
    result = csa.io.inspect(csa.datasets.sample_dir())
    assert result.ok and result.warnings == []


# ---------------------------------------------------------------- files and links

def test_a_link_to_dev_zero_is_not_a_regular_file(small):
    (small / "goals.csv").unlink()
    os.symlink("/dev/zero", small / "goals.csv")
    p = one(problems_of(small), "not a regular file", file="goals.csv")
    assert "does not exist" not in p.message and "/dev/zero" in p.message


@pytest.mark.parametrize("where", ["../../../../etc/passwd", "/etc/passwd", "sub/../../goals.csv"])
def test_a_mapping_file_outside_the_data_folder_is_refused(small, where):
    with pytest.raises(csa.DataError, match="outside the data folder") as info:
        csa.load(small, mapping={"goals": {"file": where}})
    assert "root:" not in str(info.value)


def test_a_mapping_file_through_a_folder_link_leading_out_is_refused(small, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (small / "goals.csv").rename(elsewhere / "goals.csv")
    os.symlink(elsewhere, small / "sub")
    p = one(problems_of(small, mapping={"goals": {"file": "sub/goals.csv"}}), "outside the data folder")
    assert p.table == "goals"
    os.unlink(small / "sub")
    (small / "sub").mkdir()
    (elsewhere / "goals.csv").rename(small / "sub" / "goals.csv")
    assert len(csa.load(small, mapping={"goals": {"file": "sub/goals.csv"}}).goals) > 0


# ---------------------------------------------------------------- numbers: property-based round trip

def test_numbers_written_in_each_layout_read_back_equal(small):
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    c = read_raw(small, "support_costs")

    @hypothesis.settings(max_examples=25, deadline=None)
    @hypothesis.given(st.lists(st.integers(min_value=0, max_value=10**11), min_size=len(c), max_size=len(c)),
                      st.sampled_from(["plain", "grouped", "yen", "decimal_comma"]))
    def round_trip(values, layout):
        def fmt(v):
            if layout == "plain":
                return f"{v / 100:.2f}"
            if layout == "grouped":
                return f"{v / 100:,.2f}"
            if layout == "yen":
                return f"¥{v // 100:,}"
            return f"{v // 100:,}".replace(",", ".") + f",{v % 100:02d}"

        c["amount"] = [fmt(v) for v in values]
        write_raw(small, "support_costs", c)
        ds = csa.load(small, mapping={"support_costs": {"decimal": ","}} if layout == "decimal_comma" else None)
        want = np.array([v // 100 if layout == "yen" else v / 100 for v in values], dtype=float)
        np.testing.assert_allclose(ds.support_costs["amount"].to_numpy(), want, rtol=1e-12)

    round_trip()


# ---------------------------------------------------------------- YAML within a budget

BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def refused_quickly(call, match: str) -> str:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(csa.DataError, match=match) as info:
        call()
    assert time.perf_counter() - t0 < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB
    return str(info.value)


@pytest.mark.parametrize("tail", ["tickets:\n  columns: *i\n", "tickets:\n  values:\n    channel: {x: *i}\n",
                                  "tickets: *i\n"])
def test_a_mapping_of_nested_aliases_is_refused_within_a_second(small, tmp_path_factory, capsys, tail):
    m = tmp_path_factory.mktemp("m") / "mapping.yaml"
    m.write_text(BOMB + tail, encoding="utf-8")
    assert m.stat().st_size < 1200
    text = refused_quickly(lambda: csa.load(small, mapping=m), "billion laughs")
    assert "mapping.yaml" in text
    code, out = check_output(small, capsys, "--mapping", str(m))
    assert code == 2 and "aliases" in out


def test_a_registry_of_nested_aliases_is_refused_within_a_second(tmp_path):
    from csa import registry

    r = tmp_path / "registry.yaml"
    r.write_text(BOMB + "kpis: *i\n", encoding="utf-8")
    assert "billion laughs" in refused_quickly(lambda: registry.load(r), "aliases")
    r.write_text("kpis: &k\n  - id: x\n    more: *k\n", encoding="utf-8")  # refers to itself
    assert "refers to itself" in refused_quickly(lambda: registry.load(r), "itself")


def test_anchors_used_plainly_still_load(small):
    from csa import registry

    m = {"tickets": {"columns": {"チャネル": "channel"}}}
    assert csa.io.read_mapping(m)["tickets"]["columns"] == {"チャネル": "channel"}
    text = registry.example_path().read_text(encoding="utf-8")
    assert len(registry.loads(text).kpis) == len(registry.load().kpis)


def test_a_registry_or_mapping_linked_to_dev_zero_is_not_read(small, tmp_path):
    from csa import registry

    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    assert "not a regular file" in refused_quickly(lambda: registry.load(tmp_path / "zero.yaml"), "regular")
    assert "/dev/zero" in refused_quickly(lambda: csa.load(small, mapping=tmp_path / "zero.yaml"), "regular")


# ---------------------------------------------------------------- text: property-based round trip

LAYOUTS = ["csv", "csv-bom", "csv-cp932", "csv-crlf", "tsv", "xlsx", "parquet"]


def test_comments_written_in_each_layout_read_back_equal(small):
    hypothesis = pytest.importorskip("hypothesis")
    pytest.importorskip("openpyxl")
    st = hypothesis.strategies
    s = read_raw(small, "surveys")
    (small / "surveys.csv").unlink()
    n = 20
    text = st.text(alphabet='abc XYZ09,;"\'\n\tあい漢ー、。', max_size=30)

    @hypothesis.settings(max_examples=35, deadline=None, derandomize=True, database=None)
    @hypothesis.given(st.lists(st.one_of(st.none(), text), min_size=n, max_size=n), st.sampled_from(LAYOUTS))
    def round_trip(comments, layout):
        df = s.copy()
        df.loc[: n - 1, "comment"] = [c if c is not None else "" for c in comments]
        for f in small.glob("surveys.*"):
            f.unlink()
        if layout == "xlsx":
            df.to_excel(small / "surveys.xlsx", index=False)
        elif layout == "parquet":
            df.to_parquet(small / "surveys.parquet")
        elif layout == "tsv":
            df.to_csv(small / "surveys.tsv", sep="\t", index=False)
        else:
            enc = {"csv-bom": "utf-8-sig", "csv-cp932": "cp932"}.get(layout, "utf-8")
            df.to_csv(small / "surveys.csv", index=False, encoding=enc,
                      lineterminator="\r\n" if layout == "csv-crlf" else "\n")
        got = csa.load(small).surveys["comment"].iloc[:n]
        want = [(c or "").strip() or None for c in comments]
        assert [None if pd.isna(v) else v for v in got] == want, layout

    round_trip()


def test_subscriptions_written_in_each_layout_read_back_equal(small):
    hypothesis = pytest.importorskip("hypothesis")
    pytest.importorskip("openpyxl")
    st = hypothesis.strategies
    customers = read_raw(small, "customers")["customer_id"].tolist()
    months = pd.period_range(read_raw(small, "subscriptions")["month"].min(), periods=8, freq="M")
    (small / "subscriptions.csv").unlink()

    @hypothesis.settings(max_examples=30, deadline=None, derandomize=True, database=None)
    @hypothesis.given(st.dictionaries(st.tuples(st.sampled_from(customers), st.sampled_from(list(months))),
                                      st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40),
                      st.sampled_from(LAYOUTS), st.booleans())
    def round_trip(rows, layout, grouped):
        df = pd.DataFrame([(c, str(m), f"{v / 100:,.2f}" if grouped and layout != "parquet" else f"{v / 100:.2f}")
                           for (c, m), v in rows.items()], columns=["customer_id", "month", "mrr"])
        for f in small.glob("subscriptions.*"):
            f.unlink()
        if layout == "xlsx":
            df.to_excel(small / "subscriptions.xlsx", index=False)
        elif layout == "parquet":
            df.assign(mrr=df["mrr"].astype(float)).to_parquet(small / "subscriptions.parquet")
        elif layout == "tsv":
            df.to_csv(small / "subscriptions.tsv", sep="\t", index=False)
        else:
            enc = {"csv-bom": "utf-8-sig", "csv-cp932": "cp932"}.get(layout, "utf-8")
            df.to_csv(small / "subscriptions.csv", index=False, encoding=enc,
                      lineterminator="\r\n" if layout == "csv-crlf" else "\n")
        got = csa.load(small).subscriptions
        assert got["customer_id"].tolist() == df["customer_id"].tolist()
        assert got["month"].astype(str).tolist() == df["month"].tolist()
        np.testing.assert_allclose(got["mrr"].to_numpy(), [v / 100 for v in rows.values()], rtol=1e-12)

    round_trip()
