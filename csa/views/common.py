"""What every view shares: the report period, the comparison period, the customer filters and the scope
sentence, a KPI's headline and the sentence of its change."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from .. import headline as H
from .. import kpi as K
from .. import numbers as num
from .. import stats as S
from ..labels import t
from ..metrics import churn as _churn
from ..metrics import clv as _clv
from ..metrics import ltv as _ltv
from ..metrics import nps as _nps
from ..metrics import sbg as _sbg
from ..metrics import support as _support
from ..metrics import survey as _survey
from ..periods import label, last_complete, parse_period

__all__ = [
    "SUPPORT",
    "Headline",
    "Periods",
    "beyond_noise",
    "change_numbers",
    "change_sentence",
    "driver",
    "filter_value",
    "filtered",
    "filters_phrase",
    "headline",
    "join_sentences",
    "periods",
    "resolve_period",
    "result_text",
    "scope",
    "support_touchpoint",
    "support_touchpoint_of",
    "unknown_customers_sentence",
]


def resolve_period(timestamps: pd.Series, period: str = "", freq: str = "month") -> pd.Period:
    """``period`` parsed, or, when empty, the last period the data covers to its end
    (:func:`csa.periods.last_complete`; never the clock).

    Parameters
    ----------
    timestamps : Series
        The timestamps the notebook reports on (e.g. NPS ``responded_at``).
    period : str
        ``"2026-10"``, ``"2026Q4"``, ``"FY2026"`` or ``""``.
    freq : str
        ``"month"``, ``"quarter"`` or ``"fiscal_year"``.

    Returns
    -------
    pandas.Period

    Examples
    --------
    >>> ts = pd.Series(pd.to_datetime(["2026-09-30", "2026-10-31"]))
    >>> str(resolve_period(ts)), str(resolve_period(ts, "2026-04"))
    ('2026-10', '2026-04')
    >>> str(resolve_period(pd.Series(pd.to_datetime(["2026-10-31", "2026-11-02"]))))  # November only begun
    '2026-10'
    """
    if period:
        return parse_period(period, freq)
    return last_complete(timestamps, freq)[0]


class Periods:
    """The period a notebook reports on and the one it compares with, with their labels."""

    def __init__(self, this: pd.Period, prev: pd.Period, freq: str = "month") -> None:
        self.this, self.prev, self.freq = this, prev, freq
        self.this_label, self.prev_label = label(this, freq), label(prev, freq)

    def __repr__(self) -> str:
        return f"Periods({self.this_label!r}, compared with {self.prev_label!r})"


def periods(timestamps: pd.Series, period: str = "", compare_period: str = "", freq: str = "month") -> Periods:
    """The report period (default: the last the data covers to its end) and the comparison period (default: the
    one before).

    Examples
    --------
    >>> ts = pd.Series(pd.to_datetime(["2026-09-30", "2026-10-31"]))
    >>> periods(ts)
    Periods('2026-10', compared with '2026-09')
    >>> periods(ts, "2026Q3", "2025Q3", freq="quarter")
    Periods('2026Q3', compared with '2025Q3')
    """
    this = resolve_period(timestamps, period, freq)
    prev = parse_period(compare_period, freq) if compare_period else this - 1
    return Periods(this, prev, freq)


def filters_phrase(ns: str, lang: str = "en", **filters: str) -> str:
    """The customer filters in one phrase (``セグメント = 大企業``), or the namespace's ``scope_all``.

    Examples
    --------
    >>> filters_phrase("nps", "en", segment="enterprise", plan="")
    'Segment = Enterprise'
    >>> filters_phrase("nps", "ja")
    '全顧客'
    """
    parts = [f"{t(k, lang, ns)} = {t(v, lang, ns)}" for k, v in filters.items() if v]
    return ", ".join(parts) or t("scope_all", lang, ns)


def filter_value(out: pd.DataFrame, col: str, val: str, what: str) -> pd.DataFrame:
    """Rows whose ``col`` is ``val`` (all rows when ``val`` is empty); an unknown value is an error
    listing the values present, never an empty result by accident."""
    if not val:
        return out
    known = sorted(map(str, out[col].dropna().unique()))
    if val not in known:
        raise ValueError(f"{col} {val!r} does not occur in the {what}; choose one of: {', '.join(known)}")
    return out[out[col] == val]


def filtered(rows: pd.DataFrame, what: str, **filters: str) -> pd.DataFrame:
    """The rows whose columns have the filters' values, one filter after the other (:func:`filter_value`).

    Parameters
    ----------
    rows : DataFrame
        Rows with their customer's attributes (``segment``, ``plan``, …).
    what : str
        What the rows are, for the error (``"NPS responses"``).
    **filters : str
        Column → value; ``""`` keeps all. A value that does not occur is an error listing the
        values present, never an empty result by accident.

    Examples
    --------
    >>> rows = pd.DataFrame({"segment": ["smb", "enterprise"], "plan": ["basic", "pro"]})
    >>> len(filtered(rows, "answers", segment="smb", plan="")), len(filtered(rows, "answers"))
    (1, 2)
    >>> filtered(rows, "answers", plan="gold")
    Traceback (most recent call last):
    ...
    ValueError: plan 'gold' does not occur in the answers; choose one of: basic, pro
    """
    for col, val in filters.items():
        rows = filter_value(rows, col, val, what)
    return rows


def scope(**filters: str) -> dict[str, str]:
    """The notebook's customer filters as a catalogue ``where`` (empty values left out).

    >>> scope(segment="enterprise", plan="")
    {'segment': 'enterprise'}
    """
    return {k: v for k, v in filters.items() if v}


def join_sentences(sentences: list[str], lang: str) -> str:
    """Sentences of one paragraph: a space between them in English, none in Japanese."""
    return ("" if lang == "ja" else " ").join(s.strip() for s in sentences if s and s.strip())


@dataclass(frozen=True)
class Headline:
    """A catalogue KPI in the report period and the comparison period, with the record the section publishes.

    ``this`` and ``prev`` are :class:`csa.kpi.Result`; ``change`` is :func:`csa.kpi.compare` of the
    two (``None`` when either has no data); ``record`` is :func:`csa.headline.of` of ``this`` with
    that change.
    """

    this: K.Result
    prev: K.Result
    change: dict[str, Any] | None
    record: dict[str, Any]

    @property
    def row(self) -> pd.Series:
        """This period's aggregation and statistic (counts, sums, value, interval) as a Series."""
        return pd.Series(self.this.row, dtype=object)


def headline(kpi: str, data, periods: Periods, *, section: str, engine: str = "pandas", level: float = 0.95,
             min_n: int = 30, where: dict | None = None, **params) -> Headline:
    """A section's headline figure: :func:`csa.measure` in both periods, the change, the record.

    Parameters
    ----------
    kpi : str
        A catalogue id.
    data : Dataset or tables
        As :func:`csa.measure` takes them.
    periods : Periods
        The report period and the comparison period.
    section : str
        The notebook id (the record says which section published it).
    engine, level, where, **params
        As in :func:`csa.measure`.
    min_n : int
        Below this ``n`` the record is flagged ``small_n``.

    Returns
    -------
    Headline

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> P = Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M"))
    >>> h = headline("fcr", ds, P, section="support")
    >>> h.record["key"], h.change["vs"], h.this.n
    ('fcr{definition=one_touch}', '2026-09', 1136)
    """
    common = dict(freq=periods.freq, engine=engine, level=level, where=where, **params)
    tables = K.open_tables(data, engine=engine)
    this = K.measure(kpi, tables, period=periods.this, **common)
    prev = K.measure(kpi, tables, period=periods.prev, **common)
    change = K.compare(this, prev)
    record = H.of(this, change=change, section=section, min_n=min_n)
    ago = _year_ago(periods)
    if ago is not None:
        year = K.compare(this, K.measure(kpi, tables, period=ago, **common))
        if year is not None:
            record["change_year"] = year
    if beyond_noise(change):
        found = driver(kpi, tables, periods, common, change)
        if found is not None:
            record["driver"] = found
    return Headline(this, prev, change, record)


def _year_ago(p: Periods) -> pd.Period | None:
    """The same period a year before ``p.this`` when it is not already the comparison period."""
    back = {"month": 12, "quarter": 4}.get(p.freq)
    return None if back is None or p.this - back == p.prev else p.this - back


def beyond_noise(change: dict[str, Any] | None) -> bool:
    """Whether a change's interval leaves out 0 (a change without a test is never beyond noise).

    >>> beyond_noise({"diff": -6.0, "low": -9.0, "high": -3.0}), beyond_noise({"diff": -6.0, "low": -9.0, "high": 1.0})
    (True, False)
    """
    if not change or change.get("low") is None or change.get("high") is None:
        return False
    return change["low"] > 0 or change["high"] < 0


def driver(kpi: str, tables, periods: Periods, common: dict, change: dict[str, Any]) -> dict[str, Any] | None:
    """The group that drove a change beyond noise, over the KPI's declared breakdowns (:attr:`csa.kpi.KPI.breakdowns`):
    the one with the largest share of the change among the groups whose own change is beyond noise in the same
    direction; ``None`` when no group's is (then no breakdown explains it).

    Returns ``{"by", "group", "words": {en, ja}, "n", "value", "diff", "low", "high", "p_value"}``; ``words`` name
    the group as the labels do (``{"en": "plan Premium", "ja": "プラン「プレミアム」"}``).
    """
    best, best_share = None, 0.0
    for by in K.get(kpi).breakdowns:
        try:
            d = K.drivers(kpi, tables, period=periods.this, vs=periods.prev, by=by, **common)
        except (KeyError, ValueError):  # the data has no such column (an optional one): not a breakdown here
            continue
        if len(d) < 2:  # one group is the whole: it explains nothing
            continue
        same = d[[beyond_noise(r) and (r["diff"] > 0) == (change["diff"] > 0) for r in d.to_dict("records")]]
        if not len(same):
            continue
        top = same.iloc[0]
        if abs(top["contribution"]) > abs(best_share):
            best, best_share = (by, top), float(top["contribution"])
    if best is None:
        return None
    by, top = best
    group = top[by]
    words = {}
    for lang in ("en", "ja"):
        by_word = t(by, lang)
        by_word = by_word[:1].lower() + by_word[1:] if lang == "en" else by_word  # "plan Premium"
        named = t(f"{by}_{group}", lang)  # a value the data model knows (priority_urgent), else the data's own name
        named = t(str(group), lang) if named == f"{by}_{group}" else named
        words[lang] = t("driver_group", lang, "common", by=by_word, group=named)
    return {"by": by, "group": group if isinstance(group, str) else str(group), "words": words, "n": int(top["n"]),
            **{k: float(top[k]) for k in ("value", "diff", "low", "high", "p_value")}}


def change_numbers(diff, low, high, p, lang: str) -> dict:
    """A change of a share and its interval and p-value, as :mod:`csa.numbers` writes them.

    >>> change_numbers(2.5, -1.0, 6.0, 0.2, "en")["diff"]
    '+2.5 pts'
    """
    return {"diff": num.change(diff, "%", lang), "interval": num.interval(low, high, "%", lang, signed=True),
            "p": num.p_value(p)}


def change_sentence(ns: str, h: Headline, prev_label: str, *, lang: str = "en", level: float = 0.95) -> str:
    """A share's headline change against the comparison period (the change the front page shows), in the
    labels ``change``, ``change_none`` and ``change_real`` / ``change_noise`` of the namespace ``ns``."""
    c = h.change
    if c is None or c["diff"] is None or math.isnan(c["diff"]):
        return t("change_none", lang, ns, prev=prev_label)
    text = t("change", lang, ns, prev=prev_label, level=level, **change_numbers(c["diff"], c["low"], c["high"],
                                                                             c["p_value"], lang))
    real = c["low"] > 0 or c["high"] < 0
    return join_sentences([text, t("change_real" if real else "change_noise", lang, ns)], lang)


#: the touchpoint of the answers after a support contact when the data does not show it (see :func:`support_touchpoint`)
SUPPORT = "support_contact"


def support_touchpoint(answers) -> str:
    """The touchpoint of the answers after a support contact: the one most answers tied to a ticket carry
    (a team names its touchpoints its own way), else :data:`SUPPORT`.

    >>> support_touchpoint(pd.DataFrame({"touchpoint": ["helpdesk", "helpdesk", "web"],
    ...                                  "ticket_id": ["T1", "T2", None]}))
    'helpdesk'
    """
    tied = answers.loc[answers["ticket_id"].notna(), "touchpoint"].dropna() if "ticket_id" in answers else None
    return str(tied.value_counts().index[0]) if tied is not None and len(tied) else SUPPORT


def support_touchpoint_of(tables) -> str:
    """:func:`support_touchpoint` of the answers of opened tables (:func:`csa.kpi.open_tables`), on their engine."""
    if not tables.has("surveys"):
        return SUPPORT
    f = tables.frame("surveys")
    if "ticket_id" not in f.collect_schema().names():
        return SUPPORT
    f = f.filter(~nw.col("ticket_id").is_null() & ~nw.col("touchpoint").is_null())
    got = f.group_by("touchpoint").agg(nw.len().alias("n"))
    got = got.collect("pandas").to_native() if isinstance(got, nw.LazyFrame) else got.to_native()
    got = got if isinstance(got, pd.DataFrame) else got.to_pandas()
    return str(got.sort_values(["n", "touchpoint"], ascending=[False, True])["touchpoint"].iloc[0]) if len(got) \
        else SUPPORT


def unknown_customers_sentence(rows: pd.DataFrame | None, what: str, *, lang: str = "en") -> str:
    """How many of ``rows`` (answers, tickets) belong to no known customer (an empty ``customer_id``): they count
    in the scores and are left out, with this count stated, of every breakdown by a customer's attribute.
    Empty when every row has its customer.

    >>> rows = pd.DataFrame({"customer_id": ["C1", None, None, "C2"]})
    >>> print(unknown_customers_sentence(rows, "answers"))  # doctest: +NORMALIZE_WHITESPACE
    2 of 4 answers belong to no known customer: they count in the figures above and are left out of the
    breakdowns by a customer's segment or plan.
    >>> unknown_customers_sentence(rows.iloc[:1], "answers")
    ''
    """
    if rows is None or "customer_id" not in rows or not len(rows):
        return ""
    k = int(rows["customer_id"].isna().sum())
    if not k:
        return ""
    return t("unknown_customers", lang, n=num.count(k), total=num.count(len(rows)), what=t(f"rows_{what}", lang))


# ------------------------------------------------------------------------------- results in words

def _g(x, signed: bool = False) -> str:
    """``x`` to three significant digits (as the results' own sentences write them), with the handbook's minus."""
    if num._missing(x):
        return "—"
    text = f"{float(x):{'+' if signed else ''}.3g}"
    return text.replace("-", num.MINUS, 1) if text.startswith("-") else text


def _range(low, high, lang: str, digits: int = 1, *, signed: bool = False, sig: bool = False) -> str:
    """``low to high`` (``low〜high`` in Japanese)."""
    f = (lambda x: _g(x, signed)) if sig else (lambda x: num.number(x, digits, signed=signed))
    return t("rt_range", lang, low=f(low), high=f(high))


def _ci(r, lang: str, digits: int = 1, *, signed: bool = False, method: str = "wilson", sig: bool = False) -> str:
    """``95% interval 30.6 to 86.3, Wilson`` in ``lang``."""
    return t("rt_ci", lang, interval=t("interval", lang, level=r.level), method=t(f"rt_method_{method}", lang),
             range=_range(r.low, r.high, lang, digits, signed=signed, sig=sig))


def _ex(n: int, lang: str, key: str = "rt_excluded") -> str:
    return t("rt_semi", lang) + t(key, lang, n=num.number(n, 0)) if n else ""


def _pct(x, lang: str, digits: int = 1) -> str:
    return num.value(x, "%", lang, digits=digits)


def result_text(obj, lang: str = "en") -> str:
    """A result the lessons print, in one sentence of ``lang`` with the handbook's numbers (:mod:`csa.numbers`).

    The results of :mod:`csa.metrics` and :mod:`csa.stats` describe themselves in English (``str(result)``);
    this writes the same sentence, with the same numbers, in either language, from the labels ``rt_*`` of
    ``common.yaml``. It knows NPS, CSAT, CES and GCR results, rates such as FCR, :class:`csa.kpi.Result`,
    proportions and differences of :mod:`csa.stats`, customer and revenue churn, the BG/NBD, Gamma-Gamma and
    sBG fits and LTV tiers; anything else is written as ``str(obj)``.

    Examples
    --------
    >>> from csa.metrics import survey as M, nps as N
    >>> print(result_text(M.csat([5, 4, 4, 3, 5, 2, 4, 1])))
    CSAT 62.5% satisfied (4–5 of 5; 95% interval 30.6 to 86.3, Wilson; n = 8); mean 3.50 (2.32 to 4.68)
    >>> print(result_text(M.csat([5, 4, 4, 3, 5, 2, 4, 1]), "ja"))
    CSAT 62.5%が満足（5段階の4–5、95%信頼区間 30.6〜86.3、ウィルソン法、n = 8）、平均 3.50（2.32〜4.68）
    >>> print(result_text(N.nps([10, 9, 9, 10, 9, 8, 7, 8, 3, 6]), "ja"))
    NPS +30.0（95%信頼区間 −19.1〜+65.2、調整ワルド法、n = 10：推奨者 5件、中立者 3件、批判者 2件）
    >>> print(result_text(S.diff_proportions(505_000, 1_000_000, 500_000, 1_000_000)).replace("\xa0", " "))
    difference +0.5 (95% interval +0.361 to +0.639, Newcombe; z = 7.07, p < 0.001)
    >>> print(result_text(S.proportion(3, 3), "ja"))
    100.0%（95%信頼区間 43.9〜100.0、ウィルソン法、n = 3）
    """
    w = lambda key, **kw: t(key, lang, **kw)
    c = lambda k: num.number(k, 0)
    if isinstance(obj, _nps.NPSResult):
        ex = _ex(obj.excluded, lang)
        if not obj.n:
            return w("rt_nps_none", ex=ex)
        return w("rt_nps", value=num.value(obj.value, "points", lang), n=c(obj.n), promoters=c(obj.promoters),
                 passives=c(obj.passives), detractors=c(obj.detractors), ex=ex,
                 ci=_ci(obj, lang, signed=True, method=obj.method))
    if isinstance(obj, (_survey.CSATResult, _survey.CESResult, _survey.GCRResult)):
        ex = _ex(obj.excluded, lang)
        kind = {"CSATResult": "csat", "CESResult": "ces", "GCRResult": "gcr"}[type(obj).__name__]
        if not obj.n:
            return w(f"rt_{kind}_none", ex=ex)
        common = dict(value=_pct(obj.value, lang), ci=_ci(obj, lang), n=c(obj.n), ex=ex)
        if kind == "gcr":
            return w("rt_gcr", **common)
        mean = dict(mean=num.number(obj.mean, 2), mean_range=_range(obj.mean_low, obj.mean_high, lang, 2))
        if kind == "csat":
            boxes = f"{obj.scale - obj.top + 1}–{obj.scale}" if obj.top > 1 else f"{obj.scale}"
            return w("rt_csat", boxes=boxes, scale=obj.scale, **common, **mean)
        a, b = obj.easy_scores
        better = w(f"rt_ces_{'lower' if obj.easy_end == 'low' else 'higher'}")
        return w("rt_ces", a=a, b=b, scale=obj.scale, better=better,
                 **common, **mean)
    if isinstance(obj, _support.RateResult):
        name = f"{t(obj.kpi, lang)} " if obj.kpi else ""
        how = "" if not obj.definition else f" [{obj.definition}]" if lang == "en" else \
            f"［{t(obj.definition, lang, 'support')}］"
        if not obj.n:
            return w("rt_rate_none", name=name, how=how)
        return w("rt_rate", name=name, how=how, value=_pct(obj.value, lang),
                 interval=t("interval", lang, level=obj.level),
                 range=_range(obj.low, obj.high, lang), k=c(obj.successes), n=c(obj.n),
                 ex=_ex(obj.excluded, lang, "rt_left_out"))
    if isinstance(obj, _churn.CustomerChurn):
        if not obj.n:
            return w("rt_customer_churn_none", period=obj.period)
        ci = _ci(obj, lang) if np.isfinite(obj.low) else w("rt_no_interval")
        return w("rt_customer_churn", period=obj.period, value=_pct(obj.value, lang, 2), ci=ci, k=c(obj.churned),
                 n=c(obj.n), rule=w(f"rt_rule_{obj.rule}"))
    if isinstance(obj, _churn.RevenueChurn):
        if not obj.mrr_start:
            return w("rt_revenue_churn_none", period=obj.period)

        def rng(lo, hi):
            return _range(lo, hi, lang, 2) if np.isfinite(lo) and np.isfinite(hi) else w("rt_no_interval_short")

        return w("rt_revenue_churn", period=obj.period, gross=_pct(obj.gross, lang, 2), net=_pct(obj.net, lang, 2),
                 interval=t("interval", lang, level=obj.level), gross_range=rng(obj.gross_low, obj.gross_high),
                 net_range=rng(obj.net_low, obj.net_high), nrr=_pct(obj.nrr, lang), grr=_pct(obj.grr, lang),
                 mrr=num.number(obj.mrr_start, 0))
    if isinstance(obj, S.Estimate):
        if not obj.n or not np.isfinite(obj.value):
            return w("rt_estimate_none", n=c(obj.n))
        return w("rt_estimate", value=_pct(obj.value, lang), ci=_ci(obj, lang, method=obj.method), n=c(obj.n))
    if isinstance(obj, S.Difference):
        fields = np.broadcast_arrays(*(np.asarray(f, dtype=float) for f in
                                       (obj.diff, obj.low, obj.high, obj.statistic, obj.p_value)))
        lines = [_difference(obj, *(float(a.ravel()[i]) for a in fields), lang=lang) for i in range(fields[0].size)]
        return lines[0] if fields[0].ndim == 0 else "\n".join(f"[{i}] {x}" for i, x in enumerate(lines))
    if isinstance(obj, K.Result):
        e = obj.entry
        title = e.title(lang)
        if not obj.n or math.isnan(obj.value):
            return w("rt_kpi_none", title=title, period=obj.period)
        d = e.fmt.digits
        ci = "" if math.isnan(obj.low) else " " + num.interval(obj.low, obj.high, obj.unit, lang, digits=d)
        return w("rt_kpi", title=title, period=obj.period, value=num.value(obj.value, obj.unit, lang, digits=d), ci=ci,
                 n=c(obj.n))
    if isinstance(obj, _clv.BGNBD):
        f3 = lambda x: num.number(x, 3)
        return w("rt_bgnbd", r=f3(obj.r), alpha=f3(obj.alpha), a=f3(obj.a), b=f3(obj.b),
                 ll=num.number(obj.log_likelihood, 2), n=c(obj.n))
    if isinstance(obj, _clv.GammaGamma):
        f2 = lambda x: num.number(x, 2)
        return w("rt_gamma_gamma", p=f2(obj.p), q=f2(obj.q), gamma=f2(obj.gamma), spend=f2(obj.mean_spend()),
                 n=c(obj.n))
    if isinstance(obj, _sbg.SBGFit):
        return w("rt_sbg", n=c(obj.n), periods=obj.periods, alpha=num.number(obj.alpha, 3),
                 beta=num.number(obj.beta, 3),
                 churn=_pct(100 * obj.mean_churn, lang), ll=num.number(obj.loglik, 2),
                 flag=w("rt_sbg_bound") if obj.at_bound else "")
    if isinstance(obj, _ltv.Tiers):
        hi, mid = (num.number(v, 0) if abs(v) >= 1000 else f"{v:g}".replace("-", num.MINUS) for v in obj.thresholds)
        how = (w("rt_tiers_quantile", top=_pct(100 * (1 - obj.cuts[0]), lang, 0),
                 next=_pct(100 * (obj.cuts[0] - obj.cuts[1]), lang, 0))
               if obj.method == "quantile" else w("rt_tiers_threshold"))
        return w("rt_tiers", how=how, n=c(obj.n), hi=hi, mid=mid)
    return str(obj)


def _difference(obj: S.Difference, diff: float, low: float, high: float, stat: float, p: float, *, lang: str) -> str:
    """One line of a :class:`csa.stats.Difference`."""
    if not np.isfinite(diff):
        return t("rt_difference_none", lang)
    sym = "t" if obj.method == "welch" else "z"
    test = (f"{sym} = {num.number(stat, 2)}{t('rt_sep', lang)}{num.p_value(p)}" if np.isfinite(p)
            else t("rt_no_test", lang))
    method = t(f"rt_method_{obj.method}", lang) if obj.method else ""
    ci = t("rt_ci", lang, interval=t("interval", lang, level=obj.level), method=method,
           range=_range(low, high, lang, signed=True, sig=True))
    return t("rt_difference", lang, diff=_g(diff, True), ci=ci, test=test)
