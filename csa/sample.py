"""A deterministic, internally consistent sample data set (a fictional Japanese B2B SaaS).

Every table is generated with vectorised numpy from a few latent quantities, so that the
relationships the lessons teach are really in the data (``data/README.md`` lists them with their
true sizes; ``tests/test_sample.py`` checks each one statistically):

* each customer has a latent satisfaction ``s ~ N(0, 1)``; it raises survey scores, lowers the
  monthly churn hazard (``× exp(-0.7 s)``), lowers ticket volume and tilts MRR changes upward;
* slow first responses, many agent replies and reopening lower CSAT and NPS and raise CES;
* plans and segments differ in MRR, churn hazard and therefore LTV (log-normal MRR: a long tail);
* MRR expands and contracts month to month, so revenue churn ≠ customer churn;
* the ``osaka`` support team is trained in ``INTERVENTION`` months before the last month: from
  then on its first-response times are multiplied by 0.55 and its extra replies by 0.5;
* NPS is collected at five touchpoints; the relationship survey re-asks all active customers
  every six months (ending in the last month), and the same customers tend to answer again;
* comments are Japanese free text whose tone follows the score.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["COSTS", "DEFAULT_END", "TRUTH", "generate", "support_costs", "write"]

DEFAULT_END = "2026-10"
INTERVENTION = 6  # months before the last month
TZ_OFFSET = "+09:00"

#: True parameters of the generator (documented in data/README.md).
TRUTH = {
    "churn_hazard_by_plan": {"starter": 0.035, "standard": 0.02, "premium": 0.012},
    "churn_hazard_by_segment_factor": {"smb": 1.2, "mid_market": 1.0, "enterprise": 0.6},
    "churn_satisfaction_effect": -0.7,  # log-hazard per SD of latent satisfaction
    "mrr_base_by_plan": {"starter": 9_800, "standard": 49_800, "premium": 198_000},
    "mrr_factor_by_segment": {"smb": 1.0, "mid_market": 2.5, "enterprise": 6.0},
    "mrr_lognormal_sigma": 0.5,
    "expansion_prob": 0.03, "contraction_prob": 0.015,
    "frt_median_min_by_channel": {"phone": 1.0, "chat": 3.0, "email": 240.0, "web_form": 360.0},
    "frt_factor_by_team": {"tokyo": 1.0, "osaka": 1.6, "fukuoka": 1.2},
    "intervention_team": "osaka",
    "intervention_frt_factor": 0.55,
    "intervention_extra_replies_factor": 0.5,
    "relationship_wave_every_months": 6,
}

SEGMENTS = np.array(["smb", "mid_market", "enterprise"])
SEG_P = [0.6, 0.3, 0.1]
PLANS = np.array(["starter", "standard", "premium"])
PLAN_P_BY_SEG = np.array([[0.6, 0.35, 0.05], [0.2, 0.55, 0.25], [0.05, 0.35, 0.60]])
REGIONS = np.array(["関東", "関西", "中部", "九州", "東北", "北海道", "中国", "四国"])
REGION_P = [0.45, 0.2, 0.12, 0.08, 0.05, 0.04, 0.04, 0.02]
CSMS = np.array(["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村"])
NAME_A = np.array(["日本", "東京", "大和", "未来", "青葉", "桜", "富士", "光", "北斗", "丸", "山田",
                   "中央", "明和", "三星", "東邦", "新栄", "旭", "若葉", "誠", "協和"])
NAME_B = np.array(["商事", "工業", "システム", "物産", "製作所", "ソリューションズ", "テック",
                   "サービス", "興業", "電機", "食品", "ホールディングス", "デザイン", "ネット"])
CHANNELS = np.array(["phone", "email", "chat", "web_form"])
CHANNEL_P = [0.25, 0.35, 0.28, 0.12]
CATEGORIES = np.array(["how_to", "technical", "billing", "account", "bug", "feature_request"])
CATEGORY_P = [0.30, 0.25, 0.15, 0.12, 0.10, 0.08]
PRIORITIES = np.array(["low", "normal", "high", "urgent"])
PRIORITY_P = [0.2, 0.55, 0.2, 0.05]
TEAMS = np.array(["tokyo", "osaka", "fukuoka"])
TEAM_P = [0.45, 0.35, 0.20]
AGENTS = np.array([["小林", "加藤", "吉田", "山口", "松本", "井上"],
                   ["木村", "林", "清水", "山崎", "森", "池田"],
                   ["橋本", "阿部", "石川", "前田", "藤田", "小川"]])
GOALS = np.array(["setup", "invoice_download", "self_service", "plan_change", "user_invite"])
GOAL_P = [0.15, 0.35, 0.25, 0.1, 0.15]
GOAL_RATE = np.array([0.75, 0.93, 0.55, 0.80, 0.88])

COMMENTS = {
    ("support", "pos"): ["対応が早くて助かりました。", "丁寧に説明していただき、すぐに解決しました。",
                         "担当の方がとても親切でした。", "チャットですぐに回答がもらえて便利です。",
                         "一度の問い合わせで解決できて満足です。"],
    ("support", "neu"): ["回答までに少し時間がかかりました。", "解決はしましたが、説明が少し分かりにくかったです。",
                         "特に問題はありませんでした。", "もう少し早く返信が欲しかったです。"],
    ("support", "neg"): ["何度も同じ説明をさせられました。", "返信が遅く、業務に支障が出ました。",
                         "たらい回しにされて解決まで時間がかかりました。", "電話がなかなかつながりませんでした。",
                         "結局解決していません。", "対応が事務的で不満です。"],
    ("product", "pos"): ["使いやすく、業務効率が上がりました。", "サポートも含めて安心して使えています。",
                         "同僚にも勧めています。", "機能が充実していて満足しています。"],
    ("product", "neu"): ["特に不満はありませんが、もう少し機能が欲しいです。", "普通に使えています。",
                         "価格がもう少し安ければ嬉しいです。", "概ね満足ですが、画面が分かりにくい部分があります。"],
    ("product", "neg"): ["不具合が多く、使いにくいです。", "価格に見合った価値を感じません。",
                         "解約を検討しています。", "動作が重くて困っています。",
                         "他社のサービスへの乗り換えを考えています。"],
}
# Words whose presence tests check: positive comments use one of these, negative ones the others.
POSITIVE_WORDS = ("助か", "満足", "便利", "親切", "勧め", "安心", "効率", "解決しました", "解決できて")
NEGATIVE_WORDS = ("遅く", "不満", "たらい回し", "つながり", "解決していません", "不具合", "解約",
                  "見合った価値", "困って", "乗り換え", "何度も")


@dataclass
class _Ctx:
    rng: np.random.Generator
    months: pd.PeriodIndex  # window, oldest first
    n: int


def _month_start(months: pd.PeriodIndex) -> np.ndarray:
    return months.to_timestamp().values.astype("datetime64[s]")


def _ts_strings(ts: np.ndarray) -> np.ndarray:
    """Local (JST) wall-clock datetime64[s] → ISO 8601 strings with the +09:00 offset."""
    out = np.char.add(np.datetime_as_string(ts.astype("datetime64[s]"), unit="s"), TZ_OFFSET)
    return out.astype(object)


def _random_times(rng, month_idx: np.ndarray, starts: np.ndarray, days: np.ndarray,
                  business: bool = True) -> np.ndarray:
    """A random local time inside each row's month (business hours if ``business``)."""
    k = len(month_idx)
    day = np.floor(rng.random(k) * days[month_idx]).astype("int64")
    if business:
        hour = rng.choice(np.arange(8, 21), size=k,
                          p=np.array([2, 8, 11, 11, 9, 8, 10, 10, 9, 8, 7, 4, 3]) / 100)
    else:
        hour = rng.integers(0, 24, k)
    sec = rng.integers(0, 3600, k)
    return starts[month_idx] + (day * 86400 + hour * 3600 + sec).astype("timedelta64[s]")


def _comments(rng, sentiment: np.ndarray, kind: np.ndarray, p_comment: np.ndarray) -> np.ndarray:
    out = np.full(len(sentiment), None, dtype=object)
    has = rng.random(len(sentiment)) < p_comment
    for (k, s), texts in COMMENTS.items():
        m = has & (sentiment == s) & (kind == k)
        if m.any():
            out[m] = np.array(texts, dtype=object)[rng.integers(0, len(texts), m.sum())]
    return out


def _ordinal(latent: np.ndarray, cuts: list[float]) -> np.ndarray:
    return np.searchsorted(np.asarray(cuts), latent).astype("int64")


def _ids(prefix: str, start: int, count: int, width: int = 7) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(start + 1, start + count + 1).astype(str), width)).astype(object)


def generate(n_customers: int = 2000, months: int = 24, end: str = DEFAULT_END,
             seed: int = 20261031, *, block: int = 0, offsets: dict[str, int] | None = None,
             id_width: int | None = None) -> dict[str, pd.DataFrame]:
    """Generate the six tables (as text-ready DataFrames, timestamps as ISO strings).

    ``block``/``offsets``/``id_width`` let :func:`write` build a large sample block by block:
    block 0 draws from ``seed``, block k > 0 from ``(seed, k)``; ids continue from ``offsets``.
    """
    if n_customers < 10 or months < 7:
        raise ValueError("the sample needs at least 10 customers and 7 months "
                         f"(got {n_customers} customers, {months} months)")
    rng = np.random.default_rng(seed if block == 0 else [seed, block])
    off = {"customers": 0, "orders": 0, "tickets": 0, "surveys": 0, "goals": 0, **(offsets or {})}
    window = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
    starts = _month_start(window)
    days = window.days_in_month.values.astype("int64")
    M, N = months, n_customers
    t_int = M - 1 - INTERVENTION

    # ---- customers ------------------------------------------------------------------
    cid = _ids("C", off["customers"], N, id_width or max(5, len(str(N))))
    seg_i = rng.choice(3, size=N, p=SEG_P)
    u = rng.random(N)
    plan_i = (u[:, None] > np.cumsum(PLAN_P_BY_SEG[seg_i], axis=1)).sum(axis=1)
    sat = rng.normal(0, 1, N)
    before = rng.random(N) < 0.45
    signup_m = np.where(before, -rng.integers(1, 37, N), rng.integers(0, M, N))  # month index
    # signup dates: a day inside the signup month (months before the window included)
    all_months = pd.period_range(end=window[-1], periods=M + 36, freq="M")
    am_starts = _month_start(all_months)
    am_days = all_months.days_in_month.values.astype("int64")
    am_idx = signup_m + 36
    day = np.floor(rng.random(N) * am_days[am_idx]).astype("int64")
    signup_day = am_starts[am_idx] + (day * 86400).astype("timedelta64[s]")
    high_touch = (seg_i == 2) | (plan_i == 2)
    csm = np.where(high_touch, CSMS[rng.integers(0, len(CSMS), N)], None).astype(object)
    prefix = np.where(rng.random(N) < 0.8, "株式会社", "")
    names = np.char.add(np.char.add(prefix, NAME_A[rng.integers(0, len(NAME_A), N)]),
                        NAME_B[rng.integers(0, len(NAME_B), N)]).astype(object)
    customers = pd.DataFrame({
        "customer_id": cid, "name": names,
        "signup_date": np.datetime_as_string(signup_day, unit="D").astype(object),
        "plan": PLANS[plan_i].astype(object), "segment": SEGMENTS[seg_i].astype(object),
        "region": REGIONS[rng.choice(len(REGIONS), size=N, p=REGION_P)].astype(object), "csm": csm,
    })

    # ---- subscriptions: lifetime from a customer-level geometric hazard ------------------
    hz_plan = np.array([TRUTH["churn_hazard_by_plan"][p] for p in PLANS])[plan_i]
    hz_seg = np.array([TRUTH["churn_hazard_by_segment_factor"][g] for g in SEGMENTS])[seg_i]
    hazard = np.clip(hz_plan * hz_seg * np.exp(TRUTH["churn_satisfaction_effect"] * sat), 1e-4, 0.5)
    first = np.maximum(signup_m, 0)
    life = rng.geometric(hazard)  # months subscribed from `first` (memoryless)
    last = np.minimum(first + life - 1, M - 1)
    nmon = last - first + 1
    row_c = np.repeat(np.arange(N), nmon)
    offs = np.arange(len(row_c)) - np.repeat(np.cumsum(nmon) - nmon, nmon)
    row_m = first[row_c] + offs
    mrr0 = (np.array([TRUTH["mrr_base_by_plan"][p] for p in PLANS])[plan_i]
            * np.array([TRUTH["mrr_factor_by_segment"][g] for g in SEGMENTS])[seg_i]
            * rng.lognormal(0, TRUTH["mrr_lognormal_sigma"], N))
    k = len(row_c)
    pe = TRUTH["expansion_prob"] * np.exp(0.3 * sat[row_c])
    pc = TRUTH["contraction_prob"] * np.exp(-0.3 * sat[row_c])
    uu = rng.random(k)
    step = np.where(uu < pe, np.log(rng.uniform(1.1, 1.5, k)),
                    np.where(uu > 1 - pc, np.log(rng.uniform(0.6, 0.9, k)), 0.0))
    step[offs == 0] = 0.0
    cum = np.cumsum(step)
    cum -= np.repeat(cum[np.cumsum(nmon) - nmon], nmon)
    mrr = np.round(mrr0[row_c] * np.exp(cum), -2)
    subscriptions = pd.DataFrame({"customer_id": cid[row_c], "month": window[row_m].strftime("%Y-%m").astype(object),
                                  "mrr": mrr.astype("int64")})

    # ---- orders: a monthly invoice per subscribed month + one-off purchases ---------------
    margin_plan = np.array([0.72, 0.78, 0.82])[plan_i]
    inv_ts = starts[row_m] + np.timedelta64(9 * 3600, "s")
    extra = rng.random(k) < 0.04 * (1 + seg_i[row_c])
    ex_c, ex_m = row_c[extra], row_m[extra]
    ex_ts = _random_times(rng, ex_m, starts, days)
    o_c = np.concatenate([row_c, ex_c])
    o_ts = np.concatenate([inv_ts, ex_ts])
    o_amt = np.concatenate([mrr, np.round(rng.lognormal(np.log(60_000), 0.8, len(ex_c)), -2) + 1000])
    o_mg = np.concatenate([np.clip(margin_plan[row_c] + rng.normal(0, 0.02, k), 0.5, 0.95),
                           np.clip(rng.normal(0.5, 0.1, len(ex_c)), 0.1, 0.9)])
    order = np.lexsort((o_c, o_ts))
    orders = pd.DataFrame({
        "order_id": _ids("O", off["orders"], len(order)),
        "customer_id": cid[o_c[order]], "ordered_at": _ts_strings(o_ts[order]),
        "amount": o_amt[order].astype("int64"), "gross_margin": np.round(o_mg[order], 2)})

    # ---- tickets ----------------------------------------------------------------------
    lam = 0.85 * np.array([0.8, 1.3, 2.2])[seg_i[row_c]] * np.exp(-0.25 * sat[row_c])
    nt = rng.poisson(lam)
    t_c = np.repeat(row_c, nt)
    t_m = np.repeat(row_m, nt)
    T = len(t_c)
    created = _random_times(rng, t_m, starts, days)
    ch = rng.choice(4, size=T, p=CHANNEL_P)
    cat = rng.choice(6, size=T, p=CATEGORY_P)
    pri = rng.choice(4, size=T, p=PRIORITY_P)
    team = rng.choice(3, size=T, p=TEAM_P)
    agent_j = rng.integers(0, 6, T)
    skill = rng.normal(0, 0.15, (3, 6))[team, agent_j]
    trained = (team == 1) & (t_m >= t_int)
    frt_med = np.array([TRUTH["frt_median_min_by_channel"][c] for c in CHANNELS])[ch]
    frt = (frt_med * np.array([TRUTH["frt_factor_by_team"][x] for x in TEAMS])[team]
           * np.array([1.4, 1.0, 0.6, 0.3])[pri] * np.exp(-skill)
           * np.where(trained, TRUTH["intervention_frt_factor"], 1.0) * rng.lognormal(0, 0.8, T))
    lam_r = (np.array([0.4, 1.2, 0.5, 0.4, 1.6, 0.6])[cat] * np.array([1.0, 1.3, 1.1])[team]
             * np.array([0.5, 1.0, 0.6, 1.1])[ch] * np.where(trained, TRUTH["intervention_extra_replies_factor"], 1.0))
    replies = 1 + rng.poisson(lam_r)
    reopened = rng.random(T) < np.clip(0.03 + 0.03 * (replies - 1), 0, 0.3)
    abandoned = rng.random(T) < np.array([0.08, 0.02, 0.10, 0.03])[ch]
    replies = np.where(abandoned, 1, replies)
    reopened &= ~abandoned
    cutoff = starts[-1] + np.timedelta64(int(days[-1]) * 86400, "s")  # end of the last month
    first_resp = created + np.round(frt * 60).astype("int64").astype("timedelta64[s]")
    per_reply = np.array([0.3, 6.0, 0.5, 8.0])[ch] * 3600 * rng.lognormal(0, 0.7, T)
    to_resolve = ((replies - 1) * per_reply + 600 + reopened * 86400 * 2).astype("int64")
    resolved = first_resp + to_resolve.astype("timedelta64[s]")
    is_open = (~abandoned) & (resolved > cutoff)
    fr_missing = first_resp > cutoff
    replies = np.where(fr_missing, 0, replies)
    status = np.where(abandoned, "abandoned", np.where(is_open, "open", "solved"))
    handle = (np.array([12.0, 9.0, 14.0, 9.0])[ch] * replies.clip(1) ** 0.7
              * np.array([0.9, 1.3, 0.9, 0.8, 1.4, 1.0])[cat] * rng.lognormal(0, 0.35, T))
    handle = np.where(fr_missing, 0.0, handle)
    reviewed = (rng.random(T) < 0.2) & ~fr_missing
    quality = np.where(reviewed, np.clip(np.round(rng.normal(80 + 40 * skill, 7)), 0, 100), np.nan)
    frt_h = frt / 60
    logit = -3.6 + 0.35 * np.log1p(frt_h) + 0.35 * (replies - 1) - 0.5 * sat[t_c] + 1.0 * reopened
    complaint = rng.random(T) < 1 / (1 + np.exp(-logit))
    ordt = np.lexsort((t_c, created))
    tid = np.empty(T, dtype=object)
    tid[ordt] = _ids("T", off["tickets"], T)
    tickets = pd.DataFrame({
        "ticket_id": tid, "customer_id": cid[t_c], "channel": CHANNELS[ch].astype(object),
        "category": CATEGORIES[cat].astype(object), "priority": PRIORITIES[pri].astype(object),
        "team": TEAMS[team].astype(object), "agent": AGENTS[team, agent_j].astype(object),
        "created_at": _ts_strings(created),
        "first_response_at": np.where(fr_missing, None, _ts_strings(first_resp)),
        "resolved_at": np.where(status == "solved", _ts_strings(resolved), None),
        "status": status.astype(object), "agent_replies": replies.astype("int64"),
        "reopened": reopened, "handle_time_min": np.round(handle, 1),
        "quality_score": quality, "is_complaint": complaint,
    }).iloc[ordt].reset_index(drop=True)

    # ---- surveys ----------------------------------------------------------------------
    parts = []
    nps_cuts = [-2.9, -2.4, -1.9, -1.4, -0.9, -0.35, 0.2, 0.75, 1.35, 1.95]  # latent → 0..10

    def add(c_idx, ts, survey, touch, score, ticket=None, kind="product"):
        m = len(c_idx)
        if not m:
            return
        if survey == "nps":
            sent = np.where(score >= 9, "pos", np.where(score >= 7, "neu", "neg"))
        elif survey == "csat":
            sent = np.where(score >= 4, "pos", np.where(score == 3, "neu", "neg"))
        else:
            sent = np.where(score <= 2, "pos", np.where(score <= 5, "neu", "neg"))
        p_comment = np.where(sent == "neg", 0.5, np.where(sent == "pos", 0.35, 0.25))
        parts.append(pd.DataFrame({
            "customer_id": cid[c_idx], "survey": survey, "touchpoint": touch,
            "ticket_id": ticket if ticket is not None else np.full(m, None, dtype=object),
            "_ts": ts, "score": score.astype("int64"),
            "comment": _comments(rng, sent, np.full(m, kind), p_comment)}))

    # support contact: CSAT on every answered survey, CES on half, NPS on a quarter
    solved = status == "solved"
    ask = solved & (rng.random(T) < 0.3)
    a_idx = np.flatnonzero(ask)
    a_c = t_c[a_idx]
    a_ts = resolved[a_idx] + (rng.lognormal(np.log(3 * 3600), 1.0, len(a_idx))).astype("int64").astype("timedelta64[s]")
    keep = a_ts <= cutoff
    a_idx, a_c, a_ts = a_idx[keep], a_c[keep], a_ts[keep]
    exp_ = (0.9 * sat[a_c] - 0.45 * np.log1p(frt_h[a_idx]) - 0.35 * (replies[a_idx] - 1)
            - 0.8 * reopened[a_idx] + 2 * skill[a_idx])
    csat = 1 + _ordinal(exp_ + rng.normal(0, 0.8, len(a_idx)), [-2.6, -1.8, -1.0, 0.0])
    add(a_c, a_ts, "csat", "support_contact", csat, tid[a_idx], "support")
    h = rng.random(len(a_idx)) < 0.5
    effort = (0.55 * (replies[a_idx] - 1) + 0.3 * np.log1p(frt_h[a_idx]) + 0.8 * reopened[a_idx]
              - 0.3 * sat[a_c] + rng.normal(0, 0.8, len(a_idx)))
    ces = 1 + _ordinal(effort, [-0.6, 0.0, 0.5, 1.0, 1.6, 2.3])
    add(a_c[h], a_ts[h] + np.timedelta64(20, "s"), "ces", "support_contact", ces[h], tid[a_idx][h], "support")
    q = rng.random(len(a_idx)) < 0.25
    nps_sc = _ordinal(0.8 * sat[a_c] + 0.35 * (exp_ + 0.8) + rng.normal(0, 0.9, len(a_idx)) + 0.3, nps_cuts)
    add(a_c[q], a_ts[q] + np.timedelta64(40, "s"), "nps", "support_contact", nps_sc[q], tid[a_idx][q], "support")

    # relationship NPS: all active customers every six months; customers differ in how
    # willing they are to answer, so the same customers answer again
    willing = rng.beta(2, 2.5, N)
    drift = np.zeros(N)
    for w in range(M - 1, -1, -TRUTH["relationship_wave_every_months"])[::-1]:
        active = row_c[row_m == w]
        resp = active[rng.random(len(active)) < willing[active]]
        drift[resp] += rng.normal(0, 0.25, len(resp))
        score = _ordinal(sat[resp] + drift[resp] + rng.normal(0, 0.8, len(resp)) + 0.2, nps_cuts)
        add(resp, _random_times(rng, np.full(len(resp), w), starts, days), "nps", "relationship", score)

    # post-purchase NPS and CSAT after one-off purchases and the first invoice
    first_inv = (offs == 0) & (signup_m[row_c] >= 0)
    pp_c = np.concatenate([ex_c, row_c[first_inv]])
    pp_ts = np.concatenate([ex_ts, inv_ts[first_inv]]) + np.timedelta64(2 * 86400, "s")
    r = rng.random(len(pp_c))
    pp_ts_ok = pp_ts <= cutoff
    sel = (r < 0.25) & pp_ts_ok
    add(pp_c[sel], pp_ts[sel], "nps", "post_purchase",
        _ordinal(0.8 * sat[pp_c[sel]] + rng.normal(0, 0.9, sel.sum()) + 0.35, nps_cuts))
    sel2 = (r > 0.8) & pp_ts_ok
    add(pp_c[sel2], pp_ts[sel2], "csat", "post_purchase",
        1 + _ordinal(0.8 * sat[pp_c[sel2]] + rng.normal(0, 0.8, sel2.sum()), [-2.4, -1.6, -0.8, 0.3]))
    # web-visit NPS (an intercept on the help site) and sales-call NPS (high-touch customers)
    wv = rng.random(k) < 0.04
    add(row_c[wv], _random_times(rng, row_m[wv], starts, days, business=False), "nps", "web_visit",
        _ordinal(0.7 * sat[row_c[wv]] + rng.normal(0, 1.0, wv.sum()), nps_cuts))
    sc = high_touch[row_c] & (rng.random(k) < 0.08)
    add(row_c[sc], _random_times(rng, row_m[sc], starts, days), "nps", "sales_call",
        _ordinal(0.8 * sat[row_c[sc]] + rng.normal(0, 0.8, sc.sum()) + 0.4, nps_cuts))

    surveys = pd.concat(parts, ignore_index=True)
    order = np.lexsort((surveys["customer_id"].to_numpy(), surveys["_ts"].to_numpy()))
    surveys = surveys.iloc[order].reset_index(drop=True)
    surveys.insert(0, "response_id", _ids("R", off["surveys"], len(surveys)))
    surveys.insert(5, "responded_at", _ts_strings(surveys.pop("_ts").to_numpy()))

    # ---- goals ------------------------------------------------------------------------
    ng = np.where(rng.random(k) < 0.35, rng.poisson(1.2, k), 0)
    g_c = np.repeat(row_c, ng)
    g_m = np.repeat(row_m, ng)
    G = len(g_c)
    goal = rng.choice(len(GOALS), size=G, p=GOAL_P)
    app = rng.random(G) < 0.3
    p_done = np.clip(GOAL_RATE[goal] - 0.08 * app + 0.03 * sat[g_c], 0.02, 0.99)
    g_ts = _random_times(rng, g_m, starts, days, business=False)
    og = np.lexsort((g_c, g_ts))
    goals = pd.DataFrame({
        "attempt_id": _ids("G", off["goals"], G),
        "customer_id": cid[g_c[og]], "goal": GOALS[goal[og]].astype(object),
        "channel": np.where(app[og], "app", "web").astype(object),
        "started_at": _ts_strings(g_ts[og]), "completed": (rng.random(G) < p_done)[og]})

    return {"customers": customers, "subscriptions": subscriptions, "orders": orders,
            "tickets": tickets, "surveys": surveys, "goals": goals}


#: How the sample's support costs are made (per team and month; documented in data/README.md).
COSTS = {
    "agents_per_team": 6,
    "monthly_cost_per_agent": 520_000,  # JPY, salary and benefits
    "overhead_factor": 1.25,  # management, office, training budget
    "cost_per_ticket": 3_000,  # telephony, tooling seats, outsourced after-hours
    "noise_sd": 0.05,  # relative, normal
    "training_cost_osaka": 800_000,  # one-off, in the month of the osaka training
    "unallocated_tooling": 250_000,  # per month, no team: counts only in the all-teams CPI
}


def support_costs(ticket_counts: pd.DataFrame, months: pd.PeriodIndex, seed: int) -> pd.DataFrame:
    """Support cost per month and team (JPY) from the tickets created per month and team.

    ``ticket_counts`` has columns ``month`` (``YYYY-MM``), ``team``, ``tickets``. A separate random
    stream (``[seed, 7919]``) adds noise, so the other tables do not change.
    """
    rng = np.random.default_rng([seed, 7919])
    c = COSTS
    grid = pd.MultiIndex.from_product([[str(m) for m in months], list(TEAMS)], names=["month", "team"])
    n = ticket_counts.set_index(["month", "team"])["tickets"].reindex(grid, fill_value=0).to_numpy()
    fixed = c["agents_per_team"] * c["monthly_cost_per_agent"] * c["overhead_factor"]
    amount = (fixed + c["cost_per_ticket"] * n) * (1 + rng.normal(0, c["noise_sd"], len(n)))
    out = grid.to_frame(index=False)
    out["amount"] = np.round(amount, -3).astype("int64")
    training = str(months[-1 - INTERVENTION])
    out.loc[(out["month"] == training) & (out["team"] == "osaka"), "amount"] += c["training_cost_osaka"]
    tooling = pd.DataFrame({"month": [str(m) for m in months], "team": "", "amount": c["unallocated_tooling"]})
    out = pd.concat([out, tooling], ignore_index=True)
    order = out["team"].map({t: i for i, t in enumerate([*TEAMS, ""])})
    return out.assign(_o=order).sort_values(["month", "_o"]).drop(columns="_o").reset_index(drop=True)


BLOCK = 100_000  # customers generated at a time: bounds memory (~2 GB) whatever the size


def write(out: str | os.PathLike, n_customers: int = 2000, months: int = 24, end: str = DEFAULT_END,
          seed: int = 20261031) -> dict[str, int]:
    """Generate the sample and write one UTF-8 CSV per table into ``out``; rows per table.

    Samples larger than ``BLOCK`` customers are generated block by block and appended, so
    memory stays bounded; within each block, ids follow time order. Customer ids are global.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    counts = {name: 0 for name in ("customers", "subscriptions", "orders", "tickets", "surveys", "goals")}
    width = max(5, len(str(n_customers)))
    n_blocks = -(-n_customers // BLOCK)
    sizes = [len(b) for b in np.array_split(np.arange(n_customers), n_blocks)]  # differ by at most 1
    per_team = []
    for k, size in enumerate(sizes):
        tables = generate(size, months, end, seed, block=k, offsets=counts, id_width=width)
        t = tables["tickets"]
        per_team.append(t.groupby([t["created_at"].str[:7].rename("month"), "team"]).size().rename("tickets"))
        for name, df in tables.items():
            for c in df.columns:
                if df[c].dtype == bool:
                    df[c] = np.where(df[c].to_numpy(), "true", "false")
            df.to_csv(out / f"{name}.csv", index=False, lineterminator="\n", mode="w" if k == 0 else "a",
                      header=k == 0)
            counts[name] += len(df)
        del tables
    tickets = pd.concat(per_team).groupby(level=[0, 1]).sum().reset_index()
    window = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
    costs = support_costs(tickets, window, seed)
    costs.to_csv(out / "support_costs.csv", index=False, lineterminator="\n")
    counts["support_costs"] = len(costs)
    # the versions that shaped these bytes (numpy's random streams may change between versions)
    (out / ".generated-with").write_text(f"numpy=={np.__version__}\npandas=={pd.__version__}\n", encoding="utf-8")
    return counts
