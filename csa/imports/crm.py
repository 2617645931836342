"""CRM account reports (Salesforce, HubSpot) → the CRM's accounts, and which of them are customers.

Which rows are customers: by default every row except prospects (a type or lifecycle stage such as
見込み客, Prospect, Lead, Subscriber, Opportunity). The config can say it instead::

    customers:
      is_customer: {column: "取引先 種別", values: ["顧客 - 直販", "顧客 - チャネル"]}

A segment comes from a config rule on a CRM column (e.g. employee-count bands)::

    customers:
      segment: {column: "従業員数", bands: {smb: 0, mid_market: 100, enterprise: 1000}}

>>> is_prospect("見込み客"), is_prospect("Marketing Qualified Lead"), is_prospect("顧客 - 直販")
(True, True, False)
>>> band(250, {"smb": 0, "mid_market": 100, "enterprise": 1000})
'mid_market'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .config import ImportConfig
from .detect import Layout
from .errors import ImportRefused
from .link import website_domain
from .text import RawTable, header_key, parse_number, parse_times

__all__ = ["CrmAccounts", "band", "is_prospect", "read_crm"]

_PROSPECT = re.compile(r"見込|prospect|lead|リード|subscriber|購読者|opportunity|商談|qualified", re.IGNORECASE)


def is_prospect(value: str | None) -> bool:
    """A CRM type or lifecycle stage that names a prospect rather than a customer."""
    return bool(value) and bool(_PROSPECT.search(unicodedata.normalize("NFKC", str(value))))


def band(value: float | None, bands: dict[str, float]) -> str | None:
    """The band whose lower bound is the largest not above ``value`` (``None`` for a missing value)."""
    if value is None or pd.isna(value):
        return None
    best = None
    for name, low in sorted(bands.items(), key=lambda kv: float(kv[1])):
        if value >= float(low):
            best = name
    return best


@dataclass
class CrmAccounts:
    """The accounts of one CRM report: ``accounts`` (every data row: ``crm_id``, ``name``, ``domain``,
    ``type``, ``segment``, ``region``, ``signup`` (the CRM's date it became a customer), ``is_customer``,
    ``why``) and the raw columns (``columns``) searched for a billing id."""

    file: str
    accounts: pd.DataFrame
    columns: dict[str, list[str]]
    skipped: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)

    @property
    def customers(self) -> pd.DataFrame:
        return self.accounts[self.accounts["is_customer"]]


def _column(raw: RawTable, name: str, what: str, config: ImportConfig) -> str:
    keys = {header_key(h): h for h in raw.header}
    if header_key(name) in keys:
        return keys[header_key(name)]
    raise ImportRefused(f"{config.source}: customers: {what} names the column {name!r}, which {raw.name} does not "
                        f"have. Fix: use one of its columns: {', '.join(raw.header)}")


def read_crm(raw: RawTable, layout: Layout, where: dict[str, str], config: ImportConfig) -> CrmAccounts:
    """Read a Salesforce or HubSpot account report (footer lines were left out by :func:`read_raw`)."""
    df = raw.frame()
    get = lambda f: df[where[f]] if f in where else pd.Series("", index=df.index, dtype=object)
    ids = get("id").astype(str).str.strip()
    if (ids == "").any():
        rows = list(ids.index[ids == ""][:3])
        raise ImportRefused(f"{raw.name}, column '{where['id']}': {int((ids == '').sum())} row(s) have no id "
                            f"(rows {rows}). Fix: include the account id column in the report for every row")
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        raise ImportRefused(f"{raw.name}, column '{where['id']}': ids repeat (e.g. {dup.iloc[0]!r} on rows "
                            f"{list(dup.index[:3])}): a report grouped by something else lists an account twice. "
                            "Fix: export the report without grouping (one row per account)")
    rule = config.customers.get("is_customer")
    type_col = _column(raw, rule["column"], "is_customer", config) if rule else where.get("type")
    types = df[type_col].astype(str).str.strip() if type_col else pd.Series("", index=df.index)
    if rule:
        wanted = {unicodedata.normalize("NFKC", str(v)).strip().casefold() for v in rule["values"]}
        is_cust = types.map(lambda v: unicodedata.normalize("NFKC", v).strip().casefold() in wanted)
        why = types.map(lambda v: f"not a customer ({type_col}: {v or 'blank'})")
    else:
        is_cust = ~types.map(is_prospect)
        why = pd.Series("prospect", index=df.index)
    seg_rule = config.customers.get("segment")
    employees = pd.Series([None] * len(df), index=df.index, dtype=object)
    seg = pd.Series([None] * len(df), index=df.index, dtype=object)
    if seg_rule:
        col = _column(raw, seg_rule["column"], "segment", config)
        vals = []
        for n, v in df[col].items():
            try:
                vals.append(parse_number(v))
            except ValueError:
                raise ImportRefused(f"{raw.name}, column '{col}', row {n}: {v!r} is not a number, so the segment "
                                    "rule cannot band it. Fix: correct the value, or band another column") from None
        employees = pd.Series(vals, index=df.index, dtype=object)
        seg = employees.map(lambda v: band(v, seg_rule["bands"]))
    region = None
    if config.customers.get("region"):
        region = df[_column(raw, config.customers["region"], "region", config)].astype(str).str.strip()
    signup = pd.Series([None] * len(df), index=df.index, dtype=object)
    if "signup" in where:  # the CRM's own date the account became a customer (used when billing gives none)
        tz = config.timezone
        vals = parse_times(df[where["signup"]].tolist(), tz, assume=tz, file=raw.name, column=where["signup"])
        signup = pd.Series([v.strftime("%Y-%m-%d") if v is not None else None for v in vals], index=df.index,
                           dtype=object)
    accounts = pd.DataFrame({
        "row": df.index, "crm_id": ids.values, "name": get("name").astype(str).str.strip().values,
        "domain": get("website").map(website_domain).values, "type": types.values,
        "segment": seg.values, "region": region.values if region is not None else None, "signup": signup.values,
        "is_customer": is_cust.values.astype(bool), "why": why.values,
    })
    skipped = Counter(accounts.loc[~accounts["is_customer"], "why"])
    kinds = Counter(t or "(blank)" for t in accounts["type"]) if type_col else Counter()
    columns = {h: [r[i] for r in raw.rows] for i, h in enumerate(raw.header)
               if h not in (where.get("id"), where.get("name"))}
    return CrmAccounts(raw.name, accounts, columns, skipped, kinds)
