"""Labels for charts and report tables in English and Japanese."""

from __future__ import annotations

import pandas as pd

__all__ = ["LANGS", "t", "translate"]

LANGS = ("en", "ja")

LABELS: dict[str, tuple[str, str]] = {
    # NPS groups and columns
    "promoters": ("Promoters (9–10)", "推奨者（9–10）"),
    "passives": ("Passives (7–8)", "中立者（7–8）"),
    "detractors": ("Detractors (0–6)", "批判者（0–6）"),
    "n": ("Responses", "回答数"),
    "nps": ("NPS", "NPS"),
    "low": ("Lower bound", "下限"),
    "high": ("Upper bound", "上限"),
    "pct_promoters": ("% promoters", "推奨者 %"),
    "pct_passives": ("% passives", "中立者 %"),
    "pct_detractors": ("% detractors", "批判者 %"),
    "small_n": ("Too few to read", "回答数不足"),
    "share": ("Share of responses (%)", "回答の割合（%）"),
    "period": ("Period", "期間"),
    "month": ("Month", "月"),
    "quarter": ("Quarter", "四半期"),
    "fiscal_year": ("Fiscal year", "年度"),
    "touchpoint": ("Touchpoint", "タッチポイント"),
    "segment": ("Segment", "セグメント"),
    "plan": ("Plan", "プラン"),
    "region": ("Region", "地域"),
    "customer_id": ("Customer", "顧客ID"),
    "name": ("Name", "顧客名"),
    "csm": ("CSM", "担当CSM"),
    "score": ("Score", "スコア"),
    "comment": ("Comment", "コメント"),
    "responded_at": ("Answered", "回答日時"),
    "open_tickets": ("Open tickets", "未解決チケット"),
    "interval": ("{level:.0%} interval", "{level:.0%} 信頼区間"),
    # touchpoints
    "post_purchase": ("After purchase", "購入後"),
    "web_visit": ("Website visit", "Webサイト訪問"),
    "support_contact": ("After support", "サポート対応後"),
    "sales_call": ("After sales call", "営業訪問後"),
    "relationship": ("Relationship survey", "定期調査"),
    "all": ("All", "全体"),
    # segments and plans
    "smb": ("SMB", "中小企業"),
    "mid_market": ("Mid-market", "中堅企業"),
    "enterprise": ("Enterprise", "大企業"),
    "starter": ("Starter", "スターター"),
    "standard": ("Standard", "スタンダード"),
    "premium": ("Premium", "プレミアム"),
    # chart titles
    "title_distribution": ("Promoters, passives and detractors", "推奨者・中立者・批判者の割合"),
    "title_trend": ("NPS over time", "NPSの推移"),
    "title_by_touchpoint": ("NPS by touchpoint", "タッチポイント別NPS"),
    "title_by_group": ("NPS by {group}", "{group}別NPS"),
    "no_data": ("No responses", "回答なし"),
}


def _check(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang must be 'en' or 'ja'; got {lang!r}")
    return LANGS.index(lang)


def t(key: str, lang: str = "en", **fmt) -> str:
    """The label for ``key`` in ``lang``; an unknown key is returned as it is."""
    i = _check(lang)
    text = LABELS[key][i] if key in LABELS else key
    return text.format(**fmt) if fmt else text


def translate(df: pd.DataFrame, lang: str = "en", values: tuple[str, ...] = ("touchpoint", "segment", "plan")) -> pd.DataFrame:
    """A copy of ``df`` with column names (and the values of ``values`` columns) in ``lang``."""
    _check(lang)
    out = df.copy()
    for c in values:
        if c in out.columns:
            out[c] = out[c].map(lambda v: t(v, lang) if isinstance(v, str) else v)
    return out.rename(columns=lambda c: t(c, lang) if isinstance(c, str) else c)

LABELS.update({
    "n_a": ("n (this period)", "回答数（今期）"),
    "nps_a": ("NPS (this period)", "NPS（今期）"),
    "n_b": ("n (comparison)", "回答数（比較期）"),
    "nps_b": ("NPS (comparison)", "NPS（比較期）"),
    "diff": ("Change (points)", "差（ポイント）"),
    "p_value": ("p-value", "p値"),
    "promoter": ("Promoter", "推奨者"),
    "passive": ("Passive", "中立者"),
    "detractor": ("Detractor", "批判者"),
})
