"""The primer notebook's view (``00_primer``): the tables, simulations and sentences that teach
how to read a KPI honestly — a SMART target checked on the data, intervals, p-values, power, paired
samples, small groups and the mix effect — on the bundled sample or a simulation; and the
handbook's glossary and KPI/KGI table (the KPIs as the catalogue declares them).

Every interval, test and sample size comes from :mod:`csa.stats` (NPS from
:mod:`csa.metrics.nps`), every SMART letter from :func:`csa.registry.smart` (the check the KPI-cycle
notebook and the scorecard run); this module only selects rows, simulates surveys and picks words.
Randomness comes from ``numpy.random.default_rng(seed)`` only, so a seed gives the same result
on every run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .. import glossary as G
from .. import numbers as num
from .. import registry as R
from .. import scorecard as SC
from .. import stats as S
from ..joins import attach
from ..labels import check_lang, t
from ..metrics import nps as N
from ..periods import label, pandas_freq, period_of
from .kpi_cycle import smart_reason

__all__ = ["GLOSSARY_FIELDS", "PALETTE", "MixEffect", "SmartCheck", "SmartTarget", "csat_answers",
           "describe_coverage", "describe_mix_effect", "describe_smart", "describe_smart_check", "glossary",
           "glossary_table", "interval_widths", "kpi_kgi_table", "last_full_quarter", "mix_effect", "mix_shares",
           "paired_vs_independent", "pooling_table", "proportion_table", "sample_size_table", "simulate_intervals",
           "simulate_no_change", "smart_check", "smart_letters", "smart_target"]

NS = "primer"
#: fields of every glossary entry (``kind``, ``better`` and ``definition_ja`` are optional)
GLOSSARY_FIELDS = G.FIELDS
KINDS = ("kpi", "kgi")
#: colours for up to six stacked shares (e.g. the touchpoint mix), dark to light
PALETTE = ["#1f4e79", "#4f81bd", "#9dc3e6", "#f4b183", "#c55a11", "#7f7f7f"]


# ------------------------------------------------------------------------------- glossary

def glossary() -> pd.DataFrame:
    """The handbook's glossary, one row per term (:func:`csa.glossary.terms`: the KPIs from the catalogue).

    Returns
    -------
    DataFrame
        ``term``, ``en`` (English term), ``ja`` (Japanese term), ``definition_en``,
        ``definition_ja``, ``kind`` (``"kpi"``, ``"kgi"`` or empty for a term that is not a
        KPI), ``better`` (``"higher"``, ``"lower"`` or empty).

    Examples
    --------
    >>> g = glossary()
    >>> g.set_index("term").loc["nps", ["ja", "kind", "better"]].tolist()
    ['ネット・プロモーター・スコア（NPS）', 'kpi', 'higher']
    """
    return G.terms()


def glossary_table(lang: str = "en") -> pd.DataFrame:
    """The glossary to show: term, its name in the other language and a one-line definition.

    Parameters
    ----------
    lang : str
        ``"en"``: English term first, English definition; ``"ja"``: Japanese term first and the
        Japanese definition (the English one where no Japanese one is written).

    Returns
    -------
    DataFrame
        Indexed by the term in ``lang``; columns: the term in the other language, the
        definition and the other names a reader may meet elsewhere ("also called"), with headers in
        ``lang``.
    """
    check_lang(lang)
    g = glossary()
    other = "ja" if lang == "en" else "en"
    definition = g["definition_en"] if lang == "en" else g["definition_ja"].where(g["definition_ja"] != "",
                                                                                  g["definition_en"])
    out = pd.DataFrame({t(f"term_{other}", lang, NS): g[other].to_numpy(),
                        t("definition", lang, NS): definition.to_numpy(),
                        t("also_called", lang, NS): g[f"also_{lang}"].to_numpy()},
                       index=pd.Index(g[lang].to_numpy(), name=t(f"term_{lang}", lang, NS)))
    return out


def kpi_kgi_table(lang: str = "en") -> pd.DataFrame:
    """The handbook's metrics classified as KPI (process, reviewed monthly or quarterly) or KGI
    (final goal, reviewed yearly), from the glossary's ``kind`` field.

    Returns
    -------
    DataFrame
        KPIs first, then KGIs, in glossary order; indexed by the metric's name in ``lang``;
        columns (headers in ``lang``): the name in the other language, ``kind`` (KPI or KGI),
        ``review`` (how often it is reviewed), ``better`` (which way is good) and the definition.
    """
    check_lang(lang)
    g = glossary()
    g = g[g["kind"].isin(KINDS)].copy()
    g["_order"] = g["kind"].map({k: i for i, k in enumerate(KINDS)})
    g = g.sort_values("_order", kind="stable")
    other = "ja" if lang == "en" else "en"
    definition = g["definition_en"] if lang == "en" else g["definition_ja"].where(g["definition_ja"] != "",
                                                                                  g["definition_en"])
    return pd.DataFrame({
        t(f"term_{other}", lang, NS): g[other].to_numpy(),
        t("kind", lang, NS): [t(f"kind_{k}", lang, NS) for k in g["kind"]],
        t("review", lang, NS): [t(f"review_{k}", lang, NS) for k in g["kind"]],
        t("better", lang, NS): [t(f"better_{b}", lang, NS) if b else "" for b in g["better"]],
        t("definition", lang, NS): definition.to_numpy(),
    }, index=pd.Index(g[lang].to_numpy(), name=t("metric", lang, NS)))


# ------------------------------------------------------------------------------- data

def csat_answers(ds, *, touchpoint: str = "support_contact", satisfied_from: int = 4) -> pd.DataFrame:
    """CSAT answers (1–5) of one touchpoint with customer attributes, ``period`` and ``satisfied``.

    Parameters
    ----------
    ds : Dataset
        Needs ``customers`` and ``surveys``.
    touchpoint : str
        Which CSAT survey (default: after a support contact).
    satisfied_from : int
        Lowest score counted as satisfied (4: "4 or 5 of 5", the usual top-two-box CSAT).

    Returns
    -------
    DataFrame
        The ``surveys`` columns, the customer's ``segment``, ``plan``, ``region``, plus
        ``period`` (month) and ``satisfied`` (bool).
    """
    ds.require("surveys")
    s = ds.surveys[(ds.surveys["survey"] == "csat") & (ds.surveys["touchpoint"] == touchpoint)]
    keep = [c for c in ("customer_id", "segment", "plan", "region") if c in ds.customers.columns]
    cust = ds.customers[keep]
    out = attach(s, cust, "customer_id")
    out = out.assign(period=period_of(out["responded_at"], "month"),
                     satisfied=(out["score"] >= satisfied_from).to_numpy(dtype=bool, na_value=False))
    return out.reset_index(drop=True)


def proportion_table(df: pd.DataFrame, by: str, success: str, *, level: float = 0.95, method: str = "wilson",
                     min_n: int = 30) -> pd.DataFrame:
    """Share of ``success`` per group with its interval (:func:`csa.stats.proportion_interval`).

    Parameters
    ----------
    df : DataFrame
        One row per answer.
    by : str
        Group column (e.g. ``period``).
    success : str
        Boolean column: the answer counts as a success (e.g. ``satisfied``).
    level, method : as in :func:`csa.stats.proportion_interval`.
    min_n : int
        Groups with fewer answers are flagged ``small_n``.

    Returns
    -------
    DataFrame
        ``by``, ``n``, ``successes``, ``pct`` (0–100), ``low``, ``high``, ``small_n``; groups sorted.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "a", "b"], "ok": [True, True, False, True]})
    >>> proportion_table(df, "g", "ok", min_n=3).round(1)
       g  n  successes    pct   low   high  small_n
    0  a  3          2   66.7  20.8   93.9    False
    1  b  1          1  100.0  20.7  100.0     True
    """
    for col in (by, success):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not found; the columns are: {', '.join(map(str, df.columns))}")
    g = df.groupby(by, sort=True, observed=True)[success]
    out = pd.DataFrame({"n": g.size(), "successes": g.sum().astype("int64")}).reset_index()
    low, high = S.proportion_interval(out["successes"], out["n"], level=level, method=method)
    out["pct"] = 100 * out["successes"] / out["n"]
    out["low"], out["high"] = low, high
    out["small_n"] = S.small_n(out["n"], min_n)
    return out


# ------------------------------------------------------------------------------- intervals

def simulate_intervals(population, *, n: int = 50, n_sim: int = 100, seed: int = 7, level: float = 0.95,
                       method: str = "wilson") -> pd.DataFrame:
    """Run ``n_sim`` surveys of ``n`` answers drawn at random from a known population, each with its interval.

    The population's own share is the truth every survey tries to estimate; about ``level`` of
    the intervals should contain it. Draws are with replacement (each answer is one random
    customer), from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    population : array-like of bool
        One entry per member of the population: ``True`` for a success (e.g. a satisfied answer).
    n : int
        Answers per simulated survey.
    n_sim : int
        Number of simulated surveys.
    seed : int
        Random seed: the same seed gives the same surveys.
    level, method : as in :func:`csa.stats.proportion_interval`.

    Returns
    -------
    DataFrame
        One row per survey: ``survey`` (1…n_sim), ``n``, ``successes``, ``pct`` (0–100),
        ``low``, ``high`` (the interval) and ``covered`` (the interval contains the truth,
        ``100 · mean(population)``).
    """
    pop = np.asarray(population, dtype=bool)
    if pop.ndim != 1 or pop.size == 0:
        raise ValueError("population must be a non-empty one-dimensional array of True/False; "
                         f"got shape {pop.shape}")
    if n < 1 or n_sim < 1:
        raise ValueError(f"n and n_sim must be at least 1; got n={n}, n_sim={n_sim}")
    rng = np.random.default_rng(seed)
    successes = rng.choice(pop, size=(n_sim, n), replace=True).sum(axis=1)
    low, high = S.proportion_interval(successes, n, level=level, method=method)
    truth = 100 * pop.mean()
    return pd.DataFrame({"survey": np.arange(1, n_sim + 1), "n": n, "successes": successes,
                         "pct": 100 * successes / n, "low": low, "high": high,
                         "covered": (low <= truth) & (truth <= high)})


def interval_widths(share: float, ns=(10, 30, 100, 300, 1000), *, level: float = 0.95,
                    method: str = "wilson") -> pd.DataFrame:
    """How the interval of a share narrows as the number of answers grows.

    Parameters
    ----------
    share : float
        The share observed (0–1); each row uses ``round(share · n)`` successes out of ``n``.
    ns : sequence of int
        Numbers of answers.
    level, method : as in :func:`csa.stats.proportion_interval`.

    Returns
    -------
    DataFrame
        ``sample`` (a label ``"n = 10"``), ``n``, ``successes``, ``pct``, ``low``, ``high`` and
        ``width`` (``high − low``, percentage points).

    Examples
    --------
    >>> interval_widths(0.5, [10, 1000])[["n", "pct", "width"]].round(1)
          n   pct  width
    0    10  50.0   52.7
    1  1000  50.0    6.2
    """
    n = np.asarray(ns, dtype=np.int64)
    x = np.round(share * n).astype(np.int64)
    low, high = S.proportion_interval(x, n, level=level, method=method)
    return pd.DataFrame({"sample": [f"n = {num.number(v, 0)}" for v in n], "n": n, "successes": x, "pct": 100 * x / n,
                         "low": low, "high": high, "width": high - low})


def describe_coverage(sim: pd.DataFrame, truth: float, *, level: float = 0.95, lang: str = "en") -> str:
    """One sentence: how many of the simulated intervals contain the truth."""
    k = int(sim["covered"].sum())
    return t("coverage", lang, NS, k=k, n_sim=len(sim), miss=len(sim) - k, truth=truth, level=level,
             level_miss=100 * (1 - level))


# ------------------------------------------------------------------------------- p-values

def simulate_no_change(successes_a: int, n_a: int, successes_b: int, n_b: int, *, n_sim: int = 10_000,
                       seed: int = 7) -> float:
    """Share of simulated pairs of surveys, with no real change, that differ at least as much as observed.

    Both surveys are drawn from one common share, the pooled ``(x_a + x_b)/(n_a + n_b)`` ("nothing
    changed"), with the observed sizes. The result approximates the two-sided p-value of the
    pooled z-test in :func:`csa.stats.diff_proportions`.

    Parameters
    ----------
    successes_a, n_a, successes_b, n_b : int
        The two observed surveys.
    n_sim : int
        Simulated pairs.
    seed : int
        Random seed.

    Returns
    -------
    float
        Share (0–1) of simulated pairs whose difference in share is at least the observed one in size.
    """
    if min(n_a, n_b) < 1:
        raise ValueError(f"both surveys need at least one answer; got n_a={n_a}, n_b={n_b}")
    observed = abs(successes_a / n_a - successes_b / n_b)
    pooled = (successes_a + successes_b) / (n_a + n_b)
    rng = np.random.default_rng(seed)
    diff = np.abs(rng.binomial(n_a, pooled, n_sim) / n_a - rng.binomial(n_b, pooled, n_sim) / n_b)
    return float(np.mean(diff >= observed - 1e-12))


# ------------------------------------------------------------------------------- SMART and power

@dataclass(frozen=True)
class SmartCheck:
    """One registry entry's SMART check (:func:`csa.registry.smart`) on the data, as the lesson shows it."""

    entry: R.Entry
    registry: R.Registry
    smart: R.Smart
    period: pd.Period
    power: float

    @property
    def ok(self) -> bool:
        return self.smart.ok


def smart_check(ds, entry: str = "csat", *, registry: R.Registry | None = None, review: str | None = None,
                period: str = "", level: float = 0.95, power: float = 0.8, engine: str = "pandas") -> SmartCheck:
    """The SMART check of a registry entry on ``ds``, as the KPI-cycle notebook and the scorecard make it.

    Parameters
    ----------
    ds : Dataset
        The data.
    entry : str
        The entry's id (default: the example registry's CSAT target).
    registry : Registry, optional
        Default: the example registry of the bundled sample (:func:`csa.registry.example_path`).
    review : {"month", "quarter", "fiscal_year"}, optional
        Read the entry with another review period (the same target read monthly, say).
    period : str
        The month the check is made in; empty: the latest month of the data.
    level, power : float
        Of the sample-size planner behind *Measurable*.
    engine : str
        Where the KPI's observations are counted (:func:`csa.scorecard.measure`).

    Returns
    -------
    SmartCheck
        The entry (with ``review`` when given), its registry, the :class:`csa.registry.Smart` and the period.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> smart_check(ds).smart.failed, smart_check(ds, review="month").smart.failed
    ([], ['M'])
    """
    reg = registry or R.load(R.example_path())
    e = reg.entry(entry)
    if review is not None:
        e = replace(e, review=review)
    per = SC.report_period(ds, period, "month")
    history = SC.measure(ds, e, freq="month", level=level, until=per, engine=engine)
    reviews = history if e.review == "month" else SC.measure(
        ds, e, freq=e.review, level=level, until=per.asfreq(pandas_freq(e.review), "end"), engine=engine)
    return SmartCheck(e, reg, R.smart(e, reg, history, reviews, period=per, level=level, power=power), per, power)


def describe_smart_check(chk: SmartCheck, *, lang: str = "en") -> str:
    """The target as the registry writes it, in one sentence, and how many SMART letters it passes."""
    e = chk.entry
    kgis = t("list_sep", lang, "kpi_cycle").join(chk.registry.entry(k).title(lang) for k in e.drives) or "—"
    key = "smart_check_higher" if e.direction == "higher" else "smart_check_lower"
    text = t(key, lang, NS, kpi=e.spec.label(e.params, lang) if e.spec else e.title(lang),
             target=num.value(e.target, e.unit, lang), deadline=str(e.deadline), since=str(e.since),
             review=t(f"review_{e.review}", lang, "kpi_cycle"), owner=e.owner_in(lang), kgis=kgis)
    passed = sum(c.ok for c in chk.smart.checks.values())
    verdict = t("smart_check_ok" if chk.ok else "smart_check_failed", lang, NS, passed=passed,
                failed=t("list_sep", lang, "kpi_cycle").join(chk.smart.failed))
    return text + ("" if lang == "ja" else " ") + verdict


def smart_letters(chk: SmartCheck, *, lang: str = "en") -> pd.DataFrame:
    """The five letters of the check: passed or not, and why (the KPI-cycle notebook's sentences)."""
    check_lang(lang)
    rows = [{t("smart_letter", lang, NS): t(f"smart_{k}", lang, NS),
             t("smart_passed", lang, NS): "✓" if c.ok else "✗",
             t("smart_why", lang, NS): smart_reason(k, c, chk.entry, lang, chk.power, chk.registry)}
            for k, c in chk.smart.checks.items()]
    return pd.DataFrame(rows).set_index(t("smart_letter", lang, NS))


@dataclass(frozen=True)
class SmartTarget:
    """A target for the relationship-survey NPS, measured on a survey wave: the answers a wave holds, and the
    answers needed to see the rise (what *Measurable* asks of it)."""

    wave: str            # the last wave (month) in the data
    baseline: float      # its NPS
    n: int               # its answers
    promoters: float     # its share of promoters (0–1)
    detractors: float    # its share of detractors (0–1)
    change: float        # the rise aimed at, NPS points
    target: float        # baseline + change
    deadline: str        # the next wave (month)
    need: int            # answers needed per wave to see the change with `power`
    power: float
    level: float


def smart_target(resp: pd.DataFrame, *, change: float = 10, touchpoint: str = "relationship",
                 level: float = 0.95, power: float = 0.8) -> SmartTarget:
    """A rise of the relationship survey's NPS as a target: from the last wave to the next, with the answers
    needed per wave to see it.

    The baseline is the last wave's NPS; the deadline is the next wave, as far after the last
    as the last was after the one before (six months when there is only one wave); the number
    of answers needed is :func:`csa.stats.sample_size_nps` with the last wave's shares.

    Parameters
    ----------
    resp : DataFrame
        NPS responses (:func:`csa.views.nps.responses`): ``touchpoint``, ``responded_at``, ``score``.
    change : float
        Rise to aim at, NPS points.
    touchpoint : str
        The survey whose waves are followed.
    level, power : float
        Of the comparison between two waves.

    Returns
    -------
    SmartTarget
    """
    r = resp[resp["touchpoint"] == touchpoint]
    if r.empty:
        raise ValueError(f"no NPS answers with touchpoint {touchpoint!r}; the touchpoints are: "
                         f"{', '.join(sorted(map(str, resp['touchpoint'].dropna().unique())))}")
    month = period_of(r["responded_at"], "month")
    waves = sorted(month.unique())
    last = waves[-1]
    step = (last - waves[-2]).n if len(waves) > 1 else 6
    c = N.nps_counts(r[month == last]).iloc[0]
    n = int(c["n"])
    p, d = c["promoters"] / n, c["detractors"] / n
    need = S.sample_size_nps(change, promoters=p, detractors=d, level=level, power=power)
    base = 100 * (p - d)
    return SmartTarget(label(last), float(base), n, float(p), float(d), float(change), float(base + change),
                       label(last + step), int(need), power, level)


def describe_smart(st: SmartTarget, *, lang: str = "en") -> str:
    """The SMART target in one sentence, and whether the last wave had enough answers to measure it."""
    text = t("smart_target", lang, NS, base=st.baseline, wave=st.wave, n=st.n, target=st.target,
             deadline=st.deadline, need=st.need)
    key = "smart_enough" if st.n >= st.need else "smart_short"
    return text + "\n\n" + t(key, lang, NS, n=st.n, need=st.need, change=st.change, power=st.power)


def sample_size_table(share: float, promoters: float, detractors: float, changes=(5, 10, 20), *,
                      level: float = 0.95, power: float = 0.8) -> pd.DataFrame:
    """Answers needed **per group** to detect a change of each size, for a share and for an NPS.

    Parameters
    ----------
    share : float
        Current share (0–1), e.g. of satisfied CSAT answers; the change is a rise of that many
        percentage points (:func:`csa.stats.sample_size_proportions`).
    promoters, detractors : float
        Current shares (0–1) of an NPS; the change is in NPS points (:func:`csa.stats.sample_size_nps`).
    changes : sequence of float
        Changes to detect (points).
    level, power : float
        Of the two-sided test.

    Returns
    -------
    DataFrame
        ``change``, ``n_share`` (answers per group for the share), ``n_nps`` (for the NPS).

    Examples
    --------
    >>> sample_size_table(0.5, 0.3, 0.3, [10])
       change  n_share  n_nps
    0      10      388    942
    """
    ch = np.asarray(changes, dtype=float)
    p2 = share + ch / 100
    if (p2 >= 1).any():
        raise ValueError(f"a share of {share:g} cannot rise by {ch.max():g} points (it would reach 100 %); "
                         "choose smaller changes")
    return pd.DataFrame({"change": np.asarray(changes),
                         "n_share": S.sample_size_proportions(share, p2, level=level, power=power),
                         "n_nps": S.sample_size_nps(ch, promoters=promoters, detractors=detractors,
                                                    level=level, power=power)})


# ------------------------------------------------------------------------------- paired samples

def paired_vs_independent(resp: pd.DataFrame, before, after, *, touchpoint: str = "relationship",
                          level: float = 0.95) -> pd.DataFrame:
    """The NPS change of the customers who answered both waves, read paired and read as independent.

    Both rows use the same customers and the same answers; only the method differs. *Paired*
    compares each customer with themself (:func:`csa.stats.paired_change` on the answers scored
    +1/0/−1); *independent* treats the two waves as two unrelated samples
    (:func:`csa.stats.diff_nps`, adjusted Wald), as for two different groups of customers.

    Parameters
    ----------
    resp : DataFrame
        NPS responses with ``customer_id``, ``touchpoint``, ``responded_at``, ``score``.
    before, after : pandas.Period or str
        The two waves (months).
    touchpoint : str
        The survey that re-asks the same customers.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        Two rows, ``group`` (the comparison made) = ``"paired"`` and ``"independent"``: ``n``
        (customers in both waves), ``nps_before``, ``nps_after``, ``diff`` (after − before, points), ``low``,
        ``high``, ``width`` (``high − low``) and ``p_value``.
    """
    r = resp[resp["touchpoint"] == touchpoint]
    r = r.assign(wave=period_of(r["responded_at"], "month"))
    before, after = pd.Period(before, "M"), pd.Period(after, "M")

    def last(w):  # a customer's latest answer in the wave
        part = r[r["wave"] == w].sort_values(["responded_at", "customer_id"], kind="stable")
        return part.groupby("customer_id", sort=True)["score"].last()

    a, b = last(before), last(after)
    both = a.index.intersection(b.index)
    sa, sb = N.trinomial(a[both]), N.trinomial(b[both])
    pc = S.paired_change(sa, sb, level=level)
    ind = S.diff_nps((sb == 1).sum(), (sb == -1).sum(), len(sb), (sa == 1).sum(), (sa == -1).sum(), len(sa),
                     level=level)
    rows = [("paired", 100 * pc.diff, 100 * pc.low, 100 * pc.high, pc.p_value),
            ("independent", ind.diff, ind.low, ind.high, ind.p_value)]
    out = pd.DataFrame(rows, columns=["group", "diff", "low", "high", "p_value"])
    out.insert(1, "n", len(both))
    out.insert(2, "nps_before", 100 * sa.mean() if len(both) else np.nan)
    out.insert(3, "nps_after", 100 * sb.mean() if len(both) else np.nan)
    out["width"] = out["high"] - out["low"]
    return out[["group", "n", "nps_before", "nps_after", "diff", "low", "high", "width", "p_value"]]


# ------------------------------------------------------------------------------- small groups

def last_full_quarter(ts: pd.Series) -> pd.Period:
    """The last calendar quarter whose last month is in the data (its end, not the clock, decides).

    Examples
    --------
    >>> last_full_quarter(pd.Series(pd.to_datetime(["2026-07-01", "2026-10-31"])))
    Period('2026Q3', 'Q-DEC')
    >>> last_full_quarter(pd.Series(pd.to_datetime(["2026-09-30"])))
    Period('2026Q3', 'Q-DEC')
    """
    month = period_of(ts.dropna(), "month").max()
    q = month.asfreq("Q-DEC")
    return q if month == q.asfreq("M", "end") else q - 1


def pooling_table(df: pd.DataFrame, success: str, quarter, *, time: str = "responded_at", level: float = 0.95,
                  min_n: int = 30) -> pd.DataFrame:
    """One group's share read per month, pooled over the quarter, and pooled over the year to it.

    Parameters
    ----------
    df : DataFrame
        One row per answer of the group, with a timestamp column ``time`` and a boolean ``success``.
    success : str
        Boolean column (e.g. ``satisfied``).
    quarter : pandas.Period or str
        The quarter (e.g. ``"2026Q3"``): its three months, the quarter, and the twelve months
        ending with it are the rows.
    time : str
        Timestamp column.
    level, min_n : as in :func:`proportion_table` (Wilson interval).

    Returns
    -------
    DataFrame
        Five rows: ``period`` (``"2026-07"``, ``"2026-08"``, ``"2026-09"``, ``"2026Q3"``,
        ``"2025-10 – 2026-09"``), ``pool`` (``"month"``, ``"quarter"`` or ``"year"``), ``n``,
        ``successes``, ``pct``, ``low``, ``high``, ``small_n``. Periods without answers have
        ``n = 0`` and no estimate.
    """
    q = pd.Period(quarter, "Q-DEC")
    month = period_of(df[time], "month")
    end = q.asfreq("M", "end")
    months = [end - 2, end - 1, end]
    parts = [(label(m), "month", month == m) for m in months]
    parts.append((label(q, "quarter"), "quarter", month.between(months[0], end)))
    parts.append((f"{label(end - 11)} – {label(end)}", "year", month.between(end - 11, end)))
    rows = []
    for name, pool, mask in parts:
        sel = df.loc[mask.to_numpy(), success]
        rows.append({"period": name, "pool": pool, "n": len(sel), "successes": int(sel.sum())})
    out = pd.DataFrame(rows)
    low, high = S.proportion_interval(out["successes"], out["n"], level=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pct"] = np.where(out["n"] > 0, 100 * out["successes"] / out["n"].where(out["n"] > 0, 1), np.nan)
    out["low"], out["high"] = low, high
    out["small_n"] = S.small_n(out["n"], min_n)
    return out


# ------------------------------------------------------------------------------- mix effect

@dataclass(frozen=True)
class MixEffect:
    """An overall NPS change split into a *mix* part and a *within-group* part.

    Attributes
    ----------
    table : DataFrame
        One row per group, then a last row ``"all"``: ``n_a``, ``share_a`` (% of period a's
        answers), ``nps_a``, ``n_b``, ``share_b``, ``nps_b``.
    overall_a, overall_b : float
        Overall NPS of periods a and b.
    same_mix : float
        Period a's NPS per group weighted with period b's mix: what a's overall NPS would have
        been had its answers come from the groups in b's proportions.
    """

    table: pd.DataFrame
    overall_a: float
    overall_b: float
    same_mix: float

    @property
    def change(self) -> float:
        """``overall_a − overall_b``: the change the overall NPS shows."""
        return self.overall_a - self.overall_b

    @property
    def mix(self) -> float:
        """``overall_a − same_mix``: the part due to the change of mix alone."""
        return self.overall_a - self.same_mix

    @property
    def within(self) -> float:
        """``same_mix − overall_b``: the part due to changes within the groups."""
        return self.same_mix - self.overall_b


def mix_effect(resp: pd.DataFrame, a, b, *, by: str = "touchpoint", period: str = "period",
               score: str = "score") -> MixEffect:
    """Split the change of an overall NPS between periods ``b`` → ``a`` into mix and within-group parts.

    Parameters
    ----------
    resp : DataFrame
        One row per NPS answer with ``by``, ``period`` and ``score`` (0–10) columns.
    a, b : period values
        The period read (``a``, e.g. a month with a relationship-survey wave) and the one it is
        compared with (``b``).
    by : str
        Group column (the touchpoint).
    period, score : str
        Column names.

    Returns
    -------
    MixEffect
        ``table``, ``overall_a``, ``overall_b``, ``same_mix``; properties ``change``, ``mix``
        and ``within`` (``change = mix + within``).

    Notes
    -----
    The overall NPS is the answer-weighted mean of the groups' NPS:
    ``NPS_a = Σ_k w_{a,k} · NPS_{a,k}`` with ``w_{a,k}`` = group k's share of a's answers. The
    *same-mix* NPS is ``Σ_k w_{b,k} · NPS_{a,k}``, summed over the groups present in both
    periods, with b's shares rescaled to sum to 1 over them (a group only in ``a``, like a survey
    wave, gets weight 0). Then ``NPS_a − NPS_b = (NPS_a − same-mix) + (same-mix − NPS_b)``: the
    mix effect plus the change within groups (a shift-share decomposition).

    Examples
    --------
    >>> df = pd.DataFrame({"period": ["a"] * 4 + ["b"] * 4, "touchpoint": list("xxxyxxyy"),
    ...                    "score": [10, 0, 8, 10, 10, 0, 10, 10]})
    >>> m = mix_effect(df, "a", "b")
    >>> m.overall_a, m.overall_b, m.same_mix, m.mix, m.within
    (25.0, 50.0, 50.0, -25.0, 0.0)
    """
    for col in (by, period, score):
        if col not in resp.columns:
            raise KeyError(f"column {col!r} not found; the columns are: {', '.join(map(str, resp.columns))}")
    sides = {}
    for side, p in (("a", a), ("b", b)):
        c = N.nps_counts(resp[resp[period] == p], by, score=score).set_index(by)
        if c.empty or c["n"].sum() == 0:
            raise ValueError(f"no NPS answers in period {p}: nothing to compare")
        sides[side] = pd.DataFrame({f"n_{side}": c["n"], f"share_{side}": 100 * c["n"] / c["n"].sum(),
                                    f"nps_{side}": 100 * (c["promoters"] - c["detractors"]) / c["n"]})
    tab = sides["a"].join(sides["b"], how="outer").sort_index()
    for side in ("a", "b"):
        tab[f"n_{side}"] = tab[f"n_{side}"].fillna(0).astype("int64")
        tab[f"share_{side}"] = tab[f"share_{side}"].fillna(0.0)
    overall = {side: float((tab[f"share_{side}"] * tab[f"nps_{side}"].fillna(0)).sum() / 100)
               for side in ("a", "b")}
    both = (tab["n_a"] > 0) & (tab["n_b"] > 0)
    w = tab.loc[both, "share_b"]
    same = float((w * tab.loc[both, "nps_a"]).sum() / w.sum()) if w.sum() > 0 else float("nan")
    total = pd.DataFrame({"n_a": [int(tab["n_a"].sum())], "share_a": [100.0], "nps_a": [overall["a"]],
                          "n_b": [int(tab["n_b"].sum())], "share_b": [100.0], "nps_b": [overall["b"]]},
                         index=pd.Index(["all"], name=by))
    table = pd.concat([tab, total]).rename_axis(by).reset_index()
    return MixEffect(table, overall["a"], overall["b"], same)


def mix_shares(m: MixEffect, a_label: str, b_label: str, *, by: str = "touchpoint") -> pd.DataFrame:
    """The two periods' mix as a wide table for :func:`csa.display.charts.shares_bar`.

    Returns
    -------
    DataFrame
        Two rows (``period`` = ``b_label``, then ``a_label``), one column per group holding its
        share of the period's answers (%), groups in the order of :attr:`MixEffect.table`.
    """
    groups = m.table[m.table[by] != "all"]
    wide = pd.DataFrame([groups["share_b"].to_numpy(), groups["share_a"].to_numpy()],
                        columns=groups[by].astype(str).to_list())
    wide.insert(0, "period", [b_label, a_label])
    return wide


def describe_mix_effect(m: MixEffect, a_label: str, b_label: str, *, lang: str = "en") -> str:
    """The decomposition in one sentence: overall change = mix effect + change within groups."""
    text = t("mix_sentence", lang, NS, a=a_label, b=b_label, overall_a=m.overall_a, overall_b=m.overall_b,
             change=m.change, same=m.same_mix, mix=m.mix, within=m.within)
    if m.change * m.within < 0:  # the overall moved one way, the groups taken together the other
        text += t("mix_reversal", lang, NS)
    return text
