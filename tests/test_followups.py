"""Follow-up lists beyond NPS: the tickets past their first-response target (the support section's list)."""

from __future__ import annotations

import pandas as pd
import pytest

import csa
from csa.businesstime import business_minutes
from csa.views import support as V
from csa.views.common import Periods

CLOCK = "09:00-18:00, JP, 12-29..01-03"
TARGETS = "urgent:1, high:4, normal:8, low:24"


@pytest.fixture(scope="module")
def late(sample_ds):
    cal, _ = V.business_clock(CLOCK)
    return V.sla_breaches(sample_ds, pd.Period("2026-10", "M"), targets=V.target_hours(TARGETS), calendar=cal,
                          **V.clock_params(CLOCK))


def test_the_list_is_every_miss_the_sla_kpi_counts(sample_ds, late):
    t = csa.kpi.table("sla", sample_ds, period="2026-10", targets=V.target_hours(TARGETS), **V.clock_params(CLOCK))
    row = t.iloc[0]
    assert len(late) == row["n"] - row["successes"]
    assert late["Ticket"].is_unique


def test_each_listed_ticket_took_longer_than_its_target_in_business_hours(sample_ds, late):
    cal, _ = V.business_clock(CLOCK)
    tk = sample_ds.tickets.set_index("ticket_id").loc[late["Ticket"]]
    minutes = business_minutes(tk["created_at"], tk["first_response_at"], hours=cal.hours, holidays=cal.holidays,
                               closed=cal.closed, tz=cal.tz)
    hours = pd.Series(pd.Series(minutes).to_numpy(dtype=float), index=late.index) / 60
    target = late["Target (hours)"]
    answered = tk["first_response_at"].notna().to_numpy()
    assert (hours[answered] > target[answered]).all()
    assert late["Hours to first response"][answered].to_numpy() == pytest.approx(hours[answered].round(1).to_numpy())
    assert late["Hours past the target"].is_monotonic_decreasing or (~answered).any()


def test_the_list_is_published_for_the_report_and_said_in_both_languages(late):
    from csa.report import TABLE_MIMETYPE

    bundle = V.breach_list(late, 5, lang="en")._repr_mimebundle_()
    payload = bundle[TABLE_MIMETYPE]
    assert payload["name"] == "sla_breaches" and len(payload["rows"]) == len(late) and payload["shown"] == 5
    P = Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M"))
    assert V.describe_breaches(late, P, lang="en").startswith(f"**{len(late)} tickets** of 2026-10 missed")
    assert "件** が初回応答の目標時間を過ぎました" in V.describe_breaches(late, P, lang="ja")
    assert V.describe_breaches(late.iloc[:0], P, lang="en") == "No ticket of 2026-10 missed its first-response target."
