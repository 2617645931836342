"""Another company's data, made from the sample: other plan, segment, team, touchpoint, region, channel and
category names, every date moved to another period, and (``sparse=True``) only what a real export has.

The report must not know the sample: run on these folders, none of the sample's names or months may
appear on a page (``SAMPLE_WORDS``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: the sample's values → another company's
RENAME = {
    "plan": {"starter": "Lite", "standard": "Business", "premium": "Corporate"},
    "segment": {"smb": "S", "mid_market": "M", "enterprise": "L"},
    "region": {"関東": "East", "関西": "West", "中部": "Central", "九州": "South", "北海道": "North",
               "東北": "North", "中国": "West", "四国": "South"},
    "team": {"tokyo": "alpha", "osaka": "beta", "fukuoka": "gamma"},
    "touchpoint": {"post_purchase": "checkout", "web_visit": "website", "sales_call": "demo",
                   "support_contact": "helpdesk", "relationship": "quarterly"},
    "channel": {"chat": "messenger", "email": "mail", "phone": "call", "web_form": "form", "app": "mobile",
                "web": "browser"},
    "category": {"account": "login", "billing": "invoice", "bug": "defect", "feature_request": "idea",
                 "how_to": "question", "technical": "integration"},
    "goal": {"invoice_download": "export", "plan_change": "upgrade", "self_service": "faq", "setup": "onboard",
             "user_invite": "invite"},
}
#: months every date is moved by: whole years, so that the order of any two times is kept (the sample ends in
#: 2026-10; this data in 2029-10, and none of the sample's months is one of its months)
SHIFT = 36
#: words of the sample that a report on other data must not show (names of its values, its months)
SAMPLE_WORDS = (
    "starter", "Starter", "premium", "Premium", "osaka", "Osaka", "大阪チーム", "tokyo", "Tokyo", "東京チーム",
    "fukuoka", "Fukuoka", "福岡チーム", "mid_market", "post_purchase", "web_visit", "sales_call", "support_contact",
    "invoice_download", "plan_change", "スターター", "プレミアム", "×0.55",
    "2026-10", "2026-09", "2026-04", "2026年10月", "2026年9月", "2026年4月", "2025-1", "2025年",
)
#: columns a plain export lacks (sparse=True drops them)
SPARSE_DROP = {"customers": ["plan", "segment", "region", "csm"],
               "tickets": ["channel", "category", "priority", "team", "agent", "handle_time_min", "quality_score",
                           "is_complaint"]}


def _shift_months(s: pd.Series, kind: str) -> pd.Series:
    if kind == "month":
        return (pd.PeriodIndex(s, freq="M") + SHIFT).astype(str)
    t = pd.to_datetime(s, format="ISO8601")
    if kind == "date":
        return (t + pd.DateOffset(years=SHIFT // 12)).dt.strftime("%Y-%m-%d")
    out = t.dt.tz_convert("Asia/Tokyo").dt.tz_localize(None) + pd.DateOffset(years=SHIFT // 12)
    out = out.dt.tz_localize("Asia/Tokyo", nonexistent="shift_forward", ambiguous="NaT")
    text = out.dt.strftime("%Y-%m-%dT%H:%M:%S+09:00")
    return text.where(t.notna(), "")


_TIMES = {"customers": {"signup_date": "date"}, "subscriptions": {"month": "month"},
          "orders": {"ordered_at": "time"}, "support_costs": {"month": "month"},
          "tickets": {"created_at": "time", "first_response_at": "time", "resolved_at": "time"},
          "surveys": {"responded_at": "time"}, "goals": {"started_at": "time"}}


def write_other(out: str | Path, *, sparse: bool = False, src: str | Path | None = None) -> Path:
    """Write another company's data folder into ``out`` (see the module docstring); returns ``out``.

    ``sparse``: drop the columns of :data:`SPARSE_DROP`, leave out goals, orders and support costs, and unlink
    one ticket in twenty from its customer (an empty ``customer_id``).
    """
    from csa.datasets import sample_dir

    src, out = Path(src or sample_dir()), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.glob("*.csv")):
        name = f.stem
        if sparse and name in ("goals", "orders", "support_costs"):
            continue
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col, mapping in RENAME.items():
            if col in df:
                df[col] = df[col].map(lambda v, m=mapping: m.get(v, v))
        for col, kind in _TIMES.get(name, {}).items():
            filled = df[col] != ""
            df.loc[filled, col] = _shift_months(df.loc[filled, col], kind).to_numpy()
        if sparse:
            df = df.drop(columns=[c for c in SPARSE_DROP.get(name, []) if c in df])
            if name == "tickets":
                df.loc[df.index % 20 == 7, "customer_id"] = ""
        df.to_csv(out / f.name, index=False)
    return out
