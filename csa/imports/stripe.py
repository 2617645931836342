"""Billing exports → paid periods: one record per subscription with its MRR and the interval it was
paid-active, from a Stripe Dashboard subscriptions export or a generic subscription event log.

**Stripe** (Dashboard → Subscriptions → Export): every time column is headed "(UTC)" and read as UTC.
Amounts are written in the currency's units, as the dashboard shows them (¥50,000 is ``50000``: JPY
is a zero-decimal currency, so nothing is divided by 100; $19.00 is ``19.00``). A subscription's MRR
is ``Amount × Quantity`` per month of its interval (a yearly plan ÷ 12, a weekly one × 52 ÷ 12). It is
paid-active from its start, or from the end of its trial, until it ended:

* ``trialing``, or a trial that ended when the subscription did: never paid, never active;
* ``incomplete`` / ``incomplete_expired``: the first payment failed, never active;
* ``past_due``: still active, until it ends (Stripe keeps retrying the payment);
* ``unpaid`` / ``paused``: active until the start of the current period (the first one not paid);
* ``canceled``: active until ``Ended At`` (or ``Canceled At`` when that is blank);
* an amount of 0 (a free plan): never paid, never active.

**Event log** (one row per subscription: customer, start, end, amount, quantity, interval): dates
without a time are read in the business time zone; ``end`` is the last day the subscription covers
(it is active until that day ends); an empty ``end`` means still running.

>>> per_month("year", 1), per_month("month", 3), round(per_month("week", 1), 4)
(0.08333333333333333, 0.3333333333333333, 4.3333)
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .errors import ImportRefused
from .text import RawTable, numbers, parse_times

__all__ = ["ZERO_DECIMAL", "Billing", "per_month", "read_log", "read_stripe"]

#: Stripe's zero-decimal currencies (amounts have no minor unit)
ZERO_DECIMAL = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
                          "xaf", "xof", "xpf"})

_INTERVALS = {"month": 1.0, "monthly": 1.0, "月": 1.0, "月次": 1.0, "毎月": 1.0, "year": 1 / 12, "yearly": 1 / 12,
              "annual": 1 / 12, "annually": 1 / 12, "年": 1 / 12, "年次": 1 / 12, "毎年": 1 / 12,
              "week": 52 / 12, "weekly": 52 / 12, "週": 52 / 12, "day": 365 / 12, "daily": 365 / 12, "日": 365 / 12}


def per_month(interval: str, count: float = 1) -> float:
    """What one charge of an ``interval`` (every ``count`` of them) is worth per month."""
    key = unicodedata.normalize("NFKC", str(interval or "month")).strip().casefold()
    if key not in _INTERVALS:
        raise KeyError(interval)
    return _INTERVALS[key] / (count or 1)


@dataclass
class Billing:
    """The subscriptions of one billing file.

    ``subs``: one row per subscription: ``row`` (spreadsheet row), ``sub_id``, ``billing_id`` (the
    billing system's customer), ``name``, ``email``, ``plan``, ``mrr``, ``paid_start``, ``paid_end``
    (business time zone; NaT: still running), ``skip`` (why it is never active, or ``None``).
    ``latest`` is the latest time the file knows to have passed.
    """

    file: str
    subs: pd.DataFrame
    latest: pd.Timestamp | None
    currency: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> Counter:
        return Counter(s for s in self.subs["skip"] if isinstance(s, str))


def _times(df: pd.DataFrame, where: dict, f: str, tz: str, assume: str, file: str) -> pd.Series:
    if f not in where:
        return pd.Series([pd.NaT] * len(df), index=df.index, dtype=f"datetime64[ns, {tz}]")
    vals = parse_times(df[where[f]].tolist(), tz, assume=assume, file=file, column=where[f])
    return pd.Series(pd.array([pd.NaT if v is None else v for v in vals], dtype=f"datetime64[ns, {tz}]"),
                     index=df.index)


def _factors(df: pd.DataFrame, where: dict, file: str, count: pd.Series | None = None) -> pd.Series:
    if "interval" not in where:
        return pd.Series(1.0, index=df.index)
    out = []
    for n, v in df[where["interval"]].items():
        try:
            out.append(per_month(v, 1 if count is None or pd.isna(count[n]) else float(count[n])))
        except KeyError:
            raise ImportRefused(f"{file}, column '{where['interval']}', row {n}: interval {v!r} is not known. Fix: "
                                "write month, year, week or day (月, 年 in Japanese)") from None
    return pd.Series(out, index=df.index)


def _num(df: pd.DataFrame, where: dict, f: str, file: str, default: float | None = None) -> pd.Series:
    if f not in where:
        return pd.Series(default, index=df.index, dtype="float64")
    vals = numbers(df[where[f]].tolist(), file=file, column=where[f], rows=list(df.index))
    return pd.Series([default if v is None else v for v in vals], index=df.index, dtype="float64")


def read_stripe(raw: RawTable, where: dict[str, str], tz: str) -> Billing:
    """Read a Stripe Dashboard subscriptions export."""
    df = raw.frame()
    file = raw.name
    t = {f: _times(df, where, f, tz, "UTC", file) for f in
         ("created", "start", "current_period_start", "trial_start", "trial_end", "canceled_at", "ended_at")}
    status = df[where["status"]].astype(str).str.strip().str.lower()
    amount = _num(df, where, "amount", file)
    if amount.isna().any():
        n = amount.index[amount.isna()][0]
        raise ImportRefused(f"{file}, column '{where['amount']}', row {n}: the amount is empty. Fix: download the "
                            "export again with the Amount column filled")
    quantity = _num(df, where, "quantity", file, default=1.0)
    count = _num(df, where, "interval_count", file, default=1.0) if "interval_count" in where else None
    mrr = amount * quantity * _factors(df, where, file, count)
    notes = []
    currency = None
    if "currency" in where:
        cur = sorted({c.strip().lower() for c in df[where["currency"]] if c.strip()})
        if len(cur) > 1:
            raise ImportRefused(f"{file}, column '{where['currency']}': the subscriptions are in {len(cur)} "
                                f"currencies ({', '.join(cur)}); csa counts MRR in one. Fix: export one currency's "
                                "subscriptions, or convert them before importing")
        if cur:
            currency = cur[0]
            notes.append(f"currency {currency.upper()}: amounts read as written"
                         + (" (a zero-decimal currency: nothing divided by 100)" if currency in ZERO_DECIMAL else ""))
    start = t["start"]
    trial_end = t["trial_end"]
    paid_start = start.where(trial_end.isna() | (trial_end <= start), trial_end)
    end = t["ended_at"].where(t["ended_at"].notna(), t["canceled_at"].where(status == "canceled"))
    end = end.where(~status.isin(["unpaid", "paused"]), t["current_period_start"])
    skip = pd.Series([None] * len(df), index=df.index, dtype=object)
    skip[amount * quantity <= 0] = "free (amount 0): never paid"
    skip[status.isin(["incomplete", "incomplete_expired"])] = "never paid (first payment failed)"
    never = end.notna() & (end <= paid_start)
    skip[skip.isna() & never & trial_end.notna()] = "trial only: ended before its first payment"
    skip[skip.isna() & never] = "ended before it started"
    skip[skip.isna() & (status == "trialing")] = "in trial (not paid yet)"
    past = [t[f] for f in ("created", "start", "current_period_start", "trial_start", "canceled_at", "ended_at")]
    latest = max((s.max() for s in past if s.notna().any()), default=None)  # not trial or period ends: future
    subs = pd.DataFrame({
        "row": df.index, "sub_id": df[where["id"]].astype(str).str.strip().values,
        "billing_id": df[where["customer"]].astype(str).str.strip().values,
        "name": (df[where["customer_name"]] if "customer_name" in where else pd.Series("", index=df.index)).values,
        "email": (df[where["customer_email"]] if "customer_email" in where else pd.Series("", index=df.index)).values,
        "plan": (df[where["product"]] if "product" in where else df[where["plan"]] if "plan" in where
                 else pd.Series("", index=df.index)).values,
        "mrr": mrr.values, "paid_start": paid_start.array, "paid_end": end.array, "status": status.values,
        "skip": skip.values,
    })
    return Billing(file, subs, latest, currency, notes)


def read_log(raw: RawTable, where: dict[str, str], tz: str) -> Billing:
    """Read a generic subscription event log (customer, start, end, amount, quantity, interval)."""
    df = raw.frame()
    file = raw.name
    start = _times(df, where, "start", tz, tz, file)
    end = _times(df, where, "end", tz, tz, file)
    date_only = df[where["end"]].astype(str).str.strip().str.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}")
    end = end.where(~date_only, end + pd.Timedelta(days=1))  # a date: the subscription covers that whole day
    if start.isna().any():
        n = start.index[start.isna()][0]
        raise ImportRefused(f"{file}, column '{where['start']}', row {n}: the start is empty. Fix: give every "
                            "subscription its start date")
    amount = _num(df, where, "amount", file)
    quantity = _num(df, where, "quantity", file, default=1.0)
    mrr = amount * quantity * _factors(df, where, file)
    skip = pd.Series([None] * len(df), index=df.index, dtype=object)
    skip[amount.fillna(0) * quantity <= 0] = "free (amount 0): never paid"
    skip[skip.isna() & end.notna() & (end <= start)] = "ended before it started"
    if "status" in where:
        st = df[where["status"]].astype(str).str.strip().str.lower()
        skip[skip.isna() & st.isin(["trial", "trialing", "トライアル", "試用"])] = "in trial (not paid yet)"
    latest = start.max()  # end dates may lie ahead (a contract's planned end)
    subs = pd.DataFrame({
        "row": df.index, "sub_id": [f"{file}:{n}" for n in df.index],
        "billing_id": df[where["customer"]].astype(str).str.strip().values,
        "name": (df[where["customer_name"]] if "customer_name" in where else pd.Series("", index=df.index)).values,
        "email": (df[where["email"]] if "email" in where else pd.Series("", index=df.index)).values,
        "plan": (df[where["plan"]] if "plan" in where else pd.Series("", index=df.index)).values,
        "mrr": mrr.values, "paid_start": start.array, "paid_end": end.array, "status": "",
        "skip": skip.values,
    })
    notes = ["end dates are the last day covered: a subscription is active until that day ends"]
    return Billing(file, subs, latest, None, notes)
