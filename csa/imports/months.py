"""The month rule: paid periods → one row per customer-month.

``end_of_month`` (the default): a customer's MRR for month M is the MRR of their subscriptions
paid-active at the **last instant of M** in the business time zone — active if it started before M
ended and had not ended by then. Customers who join and leave inside a month appear in no month;
a subscription that ends at 01:30 on 1 November in Tokyo (16:30 UTC on 31 October) still counts
for October. ``any_day``: active at any instant of M.

Only complete months are written: a month whose end is after ``as_of`` (the files' export date)
has no end-of-month state yet.

>>> import pandas as pd
>>> tz = "Asia/Tokyo"
>>> subs = pd.DataFrame({"customer": ["a", "b", "c"], "mrr": [100.0, 50.0, 80.0],
...     "paid_start": pd.to_datetime(["2026-09-10", "2026-10-03", "2026-09-01"]).tz_localize(tz),
...     "paid_end": pd.to_datetime([None, "2026-10-20 00:00", "2026-10-31 16:30"]).tz_localize("UTC").tz_convert(tz)})
>>> month_rows(subs, tz, last=pd.Period("2026-10", "M"))
  customer    month    mrr
0        a  2026-09  100.0
1        a  2026-10  100.0
2        c  2026-09   80.0
3        c  2026-10   80.0
>>> len(month_rows(subs, tz, last=pd.Period("2026-10", "M"), rule="any_day"))
5
"""

from __future__ import annotations

import pandas as pd

__all__ = ["last_complete_month", "month_rows"]


def last_complete_month(as_of: pd.Timestamp, tz: str) -> pd.Period:
    """The last month that ended at or before ``as_of`` (in the business time zone)."""
    local = as_of.tz_convert(tz)
    m = pd.Period(local.tz_localize(None), "M")
    nxt = (m + 1).start_time.tz_localize(tz)
    return m if local >= nxt else m - 1


def month_rows(subs: pd.DataFrame, tz: str, *, last: pd.Period, rule: str = "end_of_month",
               customer: str = "customer") -> pd.DataFrame:
    """One row per customer and month (``customer``, ``month``, ``mrr``) from paid periods.

    ``subs`` has ``customer``, ``mrr``, ``paid_start`` and ``paid_end`` (NaT: still running), times in
    ``tz``. Months run from the first paid start's to ``last``. Rows are sorted by customer and month.
    """
    cols = [customer, "month", "mrr"]
    if subs.empty:
        return pd.DataFrame(columns=cols)
    first = pd.Period(subs["paid_start"].min().tz_convert(tz).tz_localize(None), "M")
    out = []
    for m in pd.period_range(first, last, freq="M"):
        start = m.start_time.tz_localize(tz)
        boundary = (m + 1).start_time.tz_localize(tz)  # the instant after the last instant of m
        if rule == "end_of_month":
            active = (subs["paid_start"] < boundary) & (subs["paid_end"].isna() | (subs["paid_end"] >= boundary))
        elif rule == "any_day":
            active = (subs["paid_start"] < boundary) & (subs["paid_end"].isna() | (subs["paid_end"] > start))
        else:
            raise ValueError(f"unknown month rule {rule!r}")
        if active.any():
            g = subs[active].groupby(customer, sort=True)["mrr"].sum()
            out.append(pd.DataFrame({customer: g.index, "month": str(m), "mrr": g.values}))
    if not out:
        return pd.DataFrame(columns=cols)
    df = pd.concat(out, ignore_index=True)
    return df.sort_values([customer, "month"], kind="stable").reset_index(drop=True)[cols]
