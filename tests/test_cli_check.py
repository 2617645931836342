"""``csa check --time-window`` widens the accepted dates from the command line."""

from __future__ import annotations

from csa.cli import main


def test_time_window_flag_accepts_old_dates(tmp_path, capsys):
    (tmp_path / "customers.csv").write_text(
        "customer_id,name,signup_date,plan,segment,region\nC1,株式会社A,1995-04-01,pro,中堅,関東\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    assert "dated before 2000-01" in capsys.readouterr().out
    assert main(["check", str(tmp_path), "--time-window", "1990-01", "-"]) == 0
    assert "Dates accepted: 1990-01" in capsys.readouterr().out
