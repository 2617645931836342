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

import contextlib
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .progress import bar

__all__ = ["CAUSES", "COSTS", "DEFAULT_END", "TRUTH", "USAGE", "generate", "support_costs", "true_risk", "truth",
           "write"]

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

#: the effects of the intervention as the report's KPI-cycle section measures them, to check its estimates on the
#: sample: registry action → [(KPI, the parameters it was planted on, value, scale, exact)]. First response
#: times were multiplied by ``intervention_frt_factor`` on the calendar clock (exact, on the log scale); FCR rose
#: by about 16 points (48 % → 64 %), a consequence of fewer replies, not a parameter.
PLANTED_EFFECTS = {"osaka_training": [("frt", {"clock": "calendar"}, math.log(TRUTH["intervention_frt_factor"]),
                                       "log", True),
                                      ("fcr", {"definition": "one_touch"}, 16.0, "points", False)]}

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
#: ``labels.yaml`` of a generated sample: its teams' names in each language
LABELS_YAML = """# The sample's own names for its values, in each language: the report reads this file beside the data
# (csa.labels.use_data_labels). Write one for your data to name your teams, plans or regions in Japanese.
tokyo: {en: "Tokyo", ja: "東京"}
osaka: {en: "Osaka", ja: "大阪"}
fukuoka: {en: "Fukuoka", ja: "福岡"}
"""
STATUSES = ("solved", "open", "abandoned")
TEAM_P = [0.45, 0.35, 0.20]
AGENTS = np.array([["小林", "加藤", "吉田", "山口", "松本", "井上"],
                   ["木村", "林", "清水", "山崎", "森", "池田"],
                   ["橋本", "阿部", "石川", "前田", "藤田", "小川"]])
GOALS = np.array(["setup", "invoice_download", "self_service", "plan_change", "user_invite"])
GOAL_P = [0.15, 0.35, 0.25, 0.1, 0.15]
GOAL_RATE = np.array([0.75, 0.93, 0.55, 0.80, 0.88])
SURVEYS = ("nps", "csat", "ces")
TOUCHPOINTS = ("support_contact", "relationship", "post_purchase", "web_visit", "sales_call")

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


# ---- text columns -----------------------------------------------------------------------
# The generator describes each column compactly (codes into a vocabulary, numbers, datetimes);
# :func:`generate` turns them into DataFrame columns and :func:`write` formats them straight into
# CSV text with pyarrow and numpy: the same bytes pandas' ``to_csv`` wrote, many times faster.


def _quote(text: str) -> str:
    """A CSV field as pandas' ``to_csv`` writes it: quoted only when it holds a comma, a quote or a
    line break (the csv module's minimal quoting; a bare carriage return is quoted too, so that readers
    do not take it for a line end).

    >>> print(_quote("普通に使えています。"), _quote('a,"b"'), _quote("say, 'hi'"), _quote(""), sep="|")
    普通に使えています。|"a,""b""\"|"say, 'hi'"|
    """
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Cat:
    """Strings from a vocabulary: ``vocab[codes]``, missing where ``valid`` is False."""

    def __init__(self, vocab, codes: np.ndarray, valid: np.ndarray | None = None):
        self.vocab, self.codes, self.valid = tuple(str(v) for v in vocab), np.asarray(codes, dtype="int64"), valid
        self._arrow = None

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, idx: np.ndarray) -> _Cat:
        out = _Cat((), self.codes[idx], None if self.valid is None else self.valid[idx])
        out.vocab = self.vocab
        return out

    def values(self) -> np.ndarray:
        out = np.array(self.vocab, dtype=object)[self.codes]
        if self.valid is not None:
            out[~self.valid] = None
        return out

    def text(self, lo: int, hi: int) -> pa.Array:
        if self._arrow is None:
            self._arrow = pa.array([_quote(v) for v in self.vocab], pa.string())
        mask = None if self.valid is None else ~self.valid[lo:hi]
        return self._arrow.take(pa.array(self.codes[lo:hi], pa.int32(), mask=mask))


class _Ids:
    """Identifiers ``prefix`` + number zero-padded to ``width`` digits (``str.zfill``), missing where not ``valid``."""

    def __init__(self, prefix: str, numbers: np.ndarray, width: int = 7, valid: np.ndarray | None = None):
        self.prefix, self.numbers, self.width, self.valid = prefix, np.asarray(numbers, dtype="int64"), width, valid

    @classmethod
    def range(cls, prefix: str, start: int, count: int, width: int = 7) -> _Ids:
        """Ids ``start + 1`` … ``start + count``."""
        return cls(prefix, np.arange(start + 1, start + count + 1, dtype="int64"), width)

    def __len__(self) -> int:
        return len(self.numbers)

    def take(self, idx: np.ndarray) -> _Ids:
        return _Ids(self.prefix, self.numbers[idx], self.width, None if self.valid is None else self.valid[idx])

    def values(self) -> np.ndarray:
        out = np.char.add(self.prefix, np.char.zfill(self.numbers.astype(str), self.width)).astype(object)
        if self.valid is not None:
            out[~self.valid] = None
        return out

    def text(self, lo: int, hi: int) -> pa.Array:
        nums = self.numbers[lo:hi]
        valid = None if self.valid is None else self.valid[lo:hi]
        if not len(nums) or (nums.min() >= 0 and nums.max() < 10 ** self.width):  # fixed width: digits by arithmetic
            return _digits(nums, self.width, self.prefix, valid)
        s = pc.utf8_lpad(pc.cast(pa.array(nums, mask=None if valid is None else ~valid), pa.string()),
                         width=self.width, padding="0")
        return pc.binary_join_element_wise(self.prefix, s, "")


class _Times:
    """Local (JST) wall-clock datetimes: ISO 8601 with the +09:00 offset, or dates (``date=True``)."""

    def __init__(self, ts: np.ndarray, valid: np.ndarray | None = None, date: bool = False):
        self.ts, self.valid, self.date = ts.astype("datetime64[s]"), valid, date

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, idx: np.ndarray) -> _Times:
        return _Times(self.ts[idx], None if self.valid is None else self.valid[idx], self.date)

    def values(self) -> np.ndarray:
        out = np.datetime_as_string(self.ts, unit="D").astype(object) if self.date else _ts_strings(self.ts)
        if self.valid is not None:
            out[~self.valid] = None
        return out

    def text(self, lo: int, hi: int) -> pa.Array:
        return _iso(self.ts[lo:hi], None if self.valid is None else self.valid[lo:hi], self.date)


def _fixed_width(rows: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An (n, width) uint8 array of UTF-8 bytes → an arrow string array (no copy of the bytes)."""
    n, width = rows.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype="int32")
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(rows)), bitmap)


def _put(rows: np.ndarray, col: int, value: np.ndarray, ndigits: int) -> None:
    """Write ``value`` (non-negative ints) as ``ndigits`` zero-padded decimal digits at ``rows[:, col:]``."""
    for i in range(ndigits - 1, -1, -1):
        rows[:, col + i] = 48 + value % 10
        value = value // 10


def _digits(nums: np.ndarray, width: int, prefix: str = "", valid: np.ndarray | None = None) -> pa.Array:
    """``prefix`` + each number (0 ≤ n < 10**width) as ``width`` zero-padded digits.

    >>> _digits(np.array([7, 1234]), 5, "C").to_pylist()
    ['C00007', 'C01234']
    """
    head = prefix.encode()
    rows = np.empty((len(nums), len(head) + width), dtype="uint8")
    rows[:, :len(head)] = np.frombuffer(head, dtype="uint8")
    _put(rows, len(head), nums.astype("int64"), width)
    return _fixed_width(rows, valid)


def _iso(ts: np.ndarray, valid: np.ndarray | None = None, date: bool = False) -> pa.Array:
    """datetime64[s] → ``YYYY-MM-DDTHH:MM:SS+09:00`` (or ``YYYY-MM-DD``) as arrow strings, like
    :func:`_ts_strings` but vectorised into bytes (years 1000-9999).

    >>> t = np.array(["2026-10-31T23:59:58", "2024-02-29T00:00:00"], dtype="datetime64[s]")
    >>> _iso(t).to_pylist()
    ['2026-10-31T23:59:58+09:00', '2024-02-29T00:00:00+09:00']
    >>> _iso(t, np.array([False, True]), date=True).to_pylist()
    [None, '2024-02-29']
    """
    template = b"0000-00-00" if date else b"0000-00-00T00:00:00" + TZ_OFFSET.encode()
    rows = np.empty((len(ts), len(template)), dtype="uint8")
    rows[:] = np.frombuffer(template, dtype="uint8")
    d = ts.astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    month = m.astype("int64")
    _put(rows, 0, month // 12 + 1970, 4)
    _put(rows, 5, month % 12 + 1, 2)
    _put(rows, 8, (d - m.astype("datetime64[D]")).astype("int64") + 1, 2)
    if not date:
        sec = (ts - d.astype("datetime64[s]")).astype("int64")
        _put(rows, 11, sec // 3600, 2)
        _put(rows, 14, sec // 60 % 60, 2)
        _put(rows, 17, sec % 60, 2)
    return _fixed_width(rows, valid)


def _numbers_text(a: np.ndarray) -> pa.Array:
    """Numbers as pandas' ``to_csv`` writes them: ints in decimal, floats as numpy's ``str`` (NaN
    missing), booleans as ``true``/``false`` (the sample's convention)."""
    if a.dtype == bool:
        return pa.array(["false", "true"]).take(pa.array(a.view("int8")))
    if a.dtype.kind in "iu":
        return pc.cast(pa.array(a), pa.string())
    # floats: format each distinct value once (by bit pattern, so -0.0 stays "-0.0")
    uniq, inv = np.unique(a.view("int64"), return_inverse=True)
    strings = uniq.view("float64").astype(str).tolist()
    return pa.array(strings, pa.string()).take(pa.array(inv.astype("int32"), mask=np.isnan(a)))


def _text(col, lo: int, hi: int) -> pa.Array:
    return col.text(lo, hi) if hasattr(col, "text") else _numbers_text(col[lo:hi])


CHUNK = 1 << 20  # rows formatted at a time when writing a table


def _write_csv(f, columns: dict, header: bool) -> None:
    """Append ``columns`` (name → column) as CSV lines (``\\n``-terminated) to the binary file ``f``."""
    if header:
        f.write((",".join(_quote(c) for c in columns) + "\n").encode())
    cols = list(columns.values())
    n = len(cols[0])
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        texts = [_text(c, lo, hi) for c in cols]
        texts[-1] = pc.binary_join_element_wise(texts[-1], "\n", "", null_handling="replace", null_replacement="")
        lines = pc.binary_join_element_wise(*texts, ",", null_handling="replace", null_replacement="")
        del texts
        _, offsets, data = lines.buffers()
        o = np.frombuffer(offsets, dtype="int32")[lines.offset:lines.offset + len(lines) + 1]
        f.write(memoryview(data)[o[0]:o[-1]])
        del lines


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


def _comments(rng, sentiment: np.ndarray, kind: str, p_comment: np.ndarray) -> _Cat:
    """A comment (from :data:`COMMENTS`, matching ``kind`` and the sentiment) on some answers."""
    codes = np.full(len(sentiment), -1, dtype="int64")
    has = rng.random(len(sentiment)) < p_comment
    first = 0
    for (k, s), texts in COMMENTS.items():
        m = has & (sentiment == s) & (kind == k)
        if m.any():
            codes[m] = first + rng.integers(0, len(texts), m.sum())
        first += len(texts)
    return _Cat([text for texts in COMMENTS.values() for text in texts], codes.clip(0), codes >= 0)


def _ordinal(latent: np.ndarray, cuts: list[float]) -> np.ndarray:
    return np.searchsorted(np.asarray(cuts), latent).astype("int64")


def _concat(parts: list):
    """Concatenate columns of one kind (numpy arrays or :class:`_Cat`/:class:`_Ids`/:class:`_Times`)."""
    first = parts[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(parts)
    valid = None if all(p.valid is None for p in parts) else np.concatenate(
        [np.ones(len(p), bool) if p.valid is None else p.valid for p in parts])
    if isinstance(first, _Cat):
        out = _Cat((), np.concatenate([p.codes for p in parts]), valid)
        out.vocab = first.vocab
        return out
    if isinstance(first, _Ids):
        return _Ids(first.prefix, np.concatenate([p.numbers for p in parts]), first.width, valid)
    return _Times(np.concatenate([p.ts for p in parts]), valid, first.date)


def generate(n_customers: int = 2000, months: int = 24, end: str = DEFAULT_END,
             seed: int = 20261031, *, block: int = 0, offsets: dict[str, int] | None = None,
             id_width: int | None = None) -> dict[str, pd.DataFrame]:
    """Generate the seven tables (as text-ready DataFrames, timestamps as ISO strings).

    ``block``/``offsets``/``id_width`` let :func:`write` build a large sample block by block:
    block 0 draws from ``seed``, block k > 0 from ``(seed, k)``; ids continue from ``offsets``.
    """
    tables, _, _ = _generate(n_customers, months, end, seed, block=block, offsets=offsets, id_width=id_width)
    return {name: pd.DataFrame({c: col if isinstance(col, np.ndarray) else col.values() for c, col in cols.items()})
            for name, cols in tables.items()}


def _generate(n_customers: int, months: int, end: str, seed: int, *, block: int = 0,
              offsets: dict[str, int] | None = None, id_width: int | None = None) -> tuple[dict, np.ndarray]:
    """The seven tables as columns (name → numpy array or text column), the tickets created per
    month and team (an (months, teams) array, for :func:`support_costs`) and each customer's truth
    (:func:`truth`)."""
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
    cid = _Ids.range("C", off["customers"], N, id_width or max(5, len(str(N))))
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
    csm = _Cat(CSMS, rng.integers(0, len(CSMS), N), high_touch)
    # names: ["株式会社"] + NAME_A + NAME_B, as one code into all their combinations
    no_prefix = (rng.random(N) >= 0.8).astype("int64")
    name_a = rng.integers(0, len(NAME_A), N)
    name_b = rng.integers(0, len(NAME_B), N)
    names = _Cat([p + a + b for p in ("株式会社", "") for a in NAME_A for b in NAME_B],
                 (no_prefix * len(NAME_A) + name_a) * len(NAME_B) + name_b)
    customers = {
        "customer_id": cid, "name": names, "signup_date": _Times(signup_day, date=True),
        "plan": _Cat(PLANS, plan_i), "segment": _Cat(SEGMENTS, seg_i),
        "region": _Cat(REGIONS, rng.choice(len(REGIONS), size=N, p=REGION_P)), "csm": csm,
    }

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
    pc_ = TRUTH["contraction_prob"] * np.exp(-0.3 * sat[row_c])
    uu = rng.random(k)
    step = np.where(uu < pe, np.log(rng.uniform(1.1, 1.5, k)),
                    np.where(uu > 1 - pc_, np.log(rng.uniform(0.6, 0.9, k)), 0.0))
    step[offs == 0] = 0.0
    cum = np.cumsum(step)
    cum -= np.repeat(cum[np.cumsum(nmon) - nmon], nmon)
    mrr = np.round(mrr0[row_c] * np.exp(cum), -2)
    month_names = list(window.strftime("%Y-%m"))
    subscriptions = {"customer_id": cid.take(row_c), "month": _Cat(month_names, row_m),
                     "mrr": mrr.astype("int64")}

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
    orders = {
        "order_id": _Ids.range("O", off["orders"], len(order)),
        "customer_id": cid.take(o_c[order]), "ordered_at": _Times(o_ts[order]),
        "amount": o_amt[order].astype("int64"), "gross_margin": np.round(o_mg[order], 2)}
    del o_c, o_ts, o_amt, o_mg, order

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
    status = np.where(abandoned, 2, np.where(is_open, 1, 0))  # STATUSES
    solved = status == 0
    handle = (np.array([12.0, 9.0, 14.0, 9.0])[ch] * replies.clip(1) ** 0.7
              * np.array([0.9, 1.3, 0.9, 0.8, 1.4, 1.0])[cat] * rng.lognormal(0, 0.35, T))
    handle = np.where(fr_missing, 0.0, handle)
    reviewed = (rng.random(T) < 0.2) & ~fr_missing
    quality = np.where(reviewed, np.clip(np.round(rng.normal(80 + 40 * skill, 7)), 0, 100), np.nan)
    frt_h = frt / 60
    logit = -3.6 + 0.35 * np.log1p(frt_h) + 0.35 * (replies - 1) - 0.5 * sat[t_c] + 1.0 * reopened
    complaint = rng.random(T) < 1 / (1 + np.exp(-logit))
    ordt = np.lexsort((t_c, created))
    tid = np.empty(T, dtype="int64")  # ticket numbers follow creation time
    tid[ordt] = np.arange(off["tickets"] + 1, off["tickets"] + T + 1)
    tickets = {
        "ticket_id": _Ids("T", tid[ordt]), "customer_id": cid.take(t_c[ordt]), "channel": _Cat(CHANNELS, ch[ordt]),
        "category": _Cat(CATEGORIES, cat[ordt]), "priority": _Cat(PRIORITIES, pri[ordt]),
        "team": _Cat(TEAMS, team[ordt]), "agent": _Cat(AGENTS.ravel(), (team * AGENTS.shape[1] + agent_j)[ordt]),
        "created_at": _Times(created[ordt]),
        "first_response_at": _Times(first_resp[ordt], ~fr_missing[ordt]),
        "resolved_at": _Times(resolved[ordt], solved[ordt]),
        "status": _Cat(STATUSES, status[ordt]), "agent_replies": replies[ordt].astype("int64"),
        "reopened": reopened[ordt], "handle_time_min": np.round(handle, 1)[ordt],
        "quality_score": quality[ordt], "is_complaint": complaint[ordt],
    }
    per_team = np.bincount(t_m * len(TEAMS) + team, minlength=M * len(TEAMS)).reshape(M, len(TEAMS))

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
        parts.append({
            "c": c_idx, "survey": _Cat(SURVEYS, np.full(m, SURVEYS.index(survey))),
            "touchpoint": _Cat(TOUCHPOINTS, np.full(m, TOUCHPOINTS.index(touch))),
            "ticket_id": _Ids("T", np.zeros(m, "int64") if ticket is None else ticket,
                              valid=np.full(m, ticket is not None)),
            "_ts": ts, "score": score.astype("int64"),
            "comment": _comments(rng, sent, kind, p_comment)})

    # support contact: CSAT on every answered survey, CES on half, NPS on a quarter
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

    sv = {name: _concat([p[name] for p in parts]) for name in parts[0]}
    parts.clear()
    # by time, then customer (customer ids have a fixed width, so their order is the index order)
    order = np.lexsort((sv["c"], sv["_ts"]))
    surveys = {"response_id": _Ids.range("R", off["surveys"], len(order)), "customer_id": cid.take(sv["c"][order]),
               "survey": sv["survey"].take(order), "touchpoint": sv["touchpoint"].take(order),
               "ticket_id": sv["ticket_id"].take(order), "responded_at": _Times(sv["_ts"][order]),
               "score": sv["score"][order], "comment": sv["comment"].take(order)}
    del sv, order

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
    goals = {
        "attempt_id": _Ids.range("G", off["goals"], G),
        "customer_id": cid.take(g_c[og]), "goal": _Cat(GOALS, goal[og]),
        "channel": _Cat(("web", "app"), app[og].astype("int64")),
        "started_at": _Times(g_ts[og]), "completed": (rng.random(G) < p_done)[og]}

    usage, truth = _usage(seed, block, N, M, seg_i, sat, hazard, first, life, row_c, row_m, offs, cum, nmon)
    usage["customer_id"] = cid.take(usage.pop("_c"))
    usage["month"] = _Cat(month_names, usage.pop("_m"))
    usage = {c: usage[c] for c in ("customer_id", "month", "seats", "active_users", "logins", "key_features")}
    truth["customer_id"] = cid
    return ({"customers": customers, "subscriptions": subscriptions, "orders": orders,
             "tickets": tickets, "surveys": surveys, "goals": goals, "usage": usage}, per_team, truth)


# ---- usage: product engagement that declines before many churns ---------------------------
#: How the usage table is made (documented in data/README.md, "Usage and the true churn risk"). It is drawn from
#: its own random stream after the other tables, so they are the same bytes with or without it. Each customer's
#: churn month is the one the subscriptions hold; the *cause* of that churn decides what engagement shows before
#: it: a champion who left (an abrupt drop 1–3 months before), low adoption (a slide over 3–6 months) or budget
#: (nothing: usage stays as it was). Engagement is an AR(1) around a level set by satisfaction, with shocks that
#: pass (a busy month, a champion who left and was replaced): a dip does not always mean churn.
USAGE = {
    "cause_p": {"champion_left": 0.3, "low_adoption": 0.4, "budget": 0.3},
    "lead_months": {"champion_left": (1, 2, 3), "low_adoption": (3, 4, 5, 6), "budget": ()},
    "drop_logit": {"champion_left": 1.6, "low_adoption": 1.8},  # the engagement lost by the churn month
    "seats_median_by_segment": {"smb": 8, "mid_market": 35, "enterprise": 150},
    "seats_lognormal_sigma": 0.5,
    "level_satisfaction_effect": 0.5, "level_sd": 0.4, "level_mean": 1.0,  # active share, logit scale
    "ar": 0.7, "ar_sd": 0.3, "shock_p": 0.02, "shock": -1.0,
    "logins_per_active_user": 14, "key_features": 8,
}
CAUSES = tuple(USAGE["cause_p"])


def _usage(seed: int, block: int, N: int, M: int, seg_i, sat, hazard, first, life, row_c, row_m, offs, cum, nmon):
    """The usage table (one row per subscribed customer-month) and each customer's truth."""
    u = USAGE
    rng = np.random.default_rng([seed, block, 104729])
    cause = np.searchsorted(np.cumsum(list(u["cause_p"].values())), rng.random(N), side="right").clip(0, 2)
    lead = np.zeros(N, dtype="int64")
    for i, c in enumerate(CAUSES):
        m = cause == i
        if u["lead_months"][c]:
            lead[m] = rng.choice(u["lead_months"][c], size=m.sum())
    churn = first + life  # the first month not subscribed (may lie past the data's last month)
    onset = np.where(lead > 0, churn - lead, np.iinfo(np.int64).max)
    seats0 = np.array([u["seats_median_by_segment"][g] for g in SEGMENTS])[seg_i] * rng.lognormal(
        0, u["seats_lognormal_sigma"], N)
    level = u["level_mean"] + u["level_satisfaction_effect"] * sat + rng.normal(0, u["level_sd"], N)
    k = len(row_c)
    shock = np.where(rng.random(k) < u["shock_p"], u["shock"], 0.0)
    noise = rng.normal(0, u["ar_sd"], k) + shock
    x = np.empty(k)
    starts_ = offs == 0
    x[starts_] = rng.normal(0, u["ar_sd"] / math.sqrt(1 - u["ar"] ** 2), starts_.sum())
    for j in range(1, int(nmon.max()) if k else 1):  # rows run by customer, then month
        at = np.flatnonzero(offs == j)
        x[at] = u["ar"] * x[at - 1] + noise[at]
    c_ = cause[row_c]
    into = row_m - onset[row_c]  # months since the decline began (≥ 0: declining)
    drop = np.zeros(k)
    champion, slide = (c_ == 0) & (into >= 0), (c_ == 1) & (into >= 0)
    drop[champion] = u["drop_logit"]["champion_left"]
    drop[slide] = u["drop_logit"]["low_adoption"] * (into[slide] + 1) / lead[row_c][slide]
    engagement = level[row_c] + x - drop
    seats = np.maximum(1, np.round(seats0[row_c] * np.exp(cum))).astype("int64")
    active = rng.binomial(seats, 1 / (1 + np.exp(-engagement)))
    logins = rng.poisson(active * u["logins_per_active_user"] * np.exp(0.3 * (x - drop)))
    features = rng.binomial(u["key_features"], 1 / (1 + np.exp(-(0.3 + 0.8 * (engagement - u["level_mean"])))))
    usage = {"_c": row_c, "_m": row_m, "seats": seats, "active_users": active.astype("int64"),
             "logins": logins.astype("int64"), "key_features": features.astype("int64")}
    truth = {"hazard": hazard, "first": first, "churn": churn, "cause": cause, "lead": lead}
    return usage, truth


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


BLOCK = 100_000  # customers generated at a time: bounds memory (~1 GB) whatever the size


def write(out: str | os.PathLike, n_customers: int = 2000, months: int = 24, end: str = DEFAULT_END,
          seed: int = 20261031) -> dict[str, int]:
    """Generate the sample and write one UTF-8 CSV per table into ``out``; rows per table.

    Samples larger than ``BLOCK`` customers are generated block by block and appended, so
    memory stays bounded; within each block, ids follow time order. Customer ids are global.
    On a terminal, a progress bar counts the customers written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = ("customers", "subscriptions", "orders", "tickets", "surveys", "goals", "usage")
    counts = dict.fromkeys(names, 0)
    width = max(5, len(str(n_customers)))
    n_blocks = -(-n_customers // BLOCK)
    sizes = [len(b) for b in np.array_split(np.arange(n_customers), n_blocks)]  # differ by at most 1
    per_team = np.zeros((months, len(TEAMS)), dtype="int64")
    with contextlib.ExitStack() as stack:
        progress = stack.enter_context(bar(n_customers, "csa sample", unit="customer", unit_scale=True))
        for k, size in enumerate(sizes):
            tables, tickets, _ = _generate(size, months, end, seed, block=k, offsets=counts, id_width=width)
            if k == 0:
                files = {name: stack.enter_context(open(out / f"{name}.csv", "wb")) for name in names}
            per_team += tickets
            for name in names:
                _write_csv(files[name], tables[name], header=k == 0)
                counts[name] += len(next(iter(tables[name].values())))
                del tables[name]
            progress.update(size)
    window = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
    tickets = pd.DataFrame({"month": np.repeat([str(m) for m in window], len(TEAMS)),
                            "team": np.tile(TEAMS, months), "tickets": per_team.ravel()})
    costs = support_costs(tickets, window, seed)
    costs.to_csv(out / "support_costs.csv", index=False, lineterminator="\n")
    counts["support_costs"] = len(costs)
    # the sample's own names for its teams in each language (read beside the data: csa.labels.use_data_labels)
    (out / "labels.yaml").write_text(LABELS_YAML, encoding="utf-8")
    # the versions that shaped these bytes (numpy's random streams may change between versions)
    (out / ".generated-with").write_text(f"numpy=={np.__version__}\npandas=={pd.__version__}\n", encoding="utf-8")
    return counts


def truth(n_customers: int = 2000, months: int = 24, end: str = DEFAULT_END, seed: int = 20261031) -> pd.DataFrame:
    """What the generator planted for each customer of the sample ``write`` makes with the same arguments.

    Returns
    -------
    DataFrame
        One row per customer: ``customer_id``; ``hazard``, the monthly churn probability (plan × segment ×
        hidden satisfaction); ``first_month``, the first month subscribed in the data; ``churn_month``, the first
        month no longer subscribed (it may lie after the data's last month: the customer is still there at its
        end); ``cause`` of that churn (:data:`CAUSES`) and ``decline_from``, the month usage began to fall
        before it (``NaT`` for a budget churn, which usage does not announce).

    Examples
    --------
    >>> t = truth()
    >>> t.loc[0, ["customer_id", "first_month", "churn_month", "cause"]].tolist()
    ['C00001', Period('2024-11', 'M'), Period('2030-03', 'M'), 'budget']
    >>> t["cause"].value_counts().reindex(CAUSES).tolist()
    [596, 802, 602]
    """
    window = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
    parts = []
    offsets = {"customers": 0}
    width = max(5, len(str(n_customers)))
    n_blocks = -(-n_customers // BLOCK)
    for k, b in enumerate(np.array_split(np.arange(n_customers), n_blocks)):
        _, _, t = _generate(len(b), months, end, seed, block=k, offsets=offsets, id_width=width)
        offsets["customers"] += len(b)
        base = window[0]
        lead = t["lead"]
        parts.append(pd.DataFrame({
            "customer_id": t["customer_id"].values(), "hazard": t["hazard"],
            "first_month": pd.PeriodIndex([base + int(i) for i in t["first"]], freq="M"),
            "churn_month": pd.PeriodIndex([base + int(i) for i in t["churn"]], freq="M"),
            "cause": np.array(CAUSES, dtype=object)[t["cause"]],
            "decline_from": pd.PeriodIndex([base + int(c - d) if d else pd.NaT for c, d in zip(t["churn"], lead,
                                                                                            strict=True)], freq="M"),
        }))
    return pd.concat(parts, ignore_index=True)


def true_risk(planted: pd.DataFrame, asof, horizon: int = 3) -> pd.Series:
    """The true probability that each customer active at ``asof`` churns within ``horizon`` months: what an
    oracle knowing the planted hazard, the cause and whether usage has begun to fall would say (no score
    computed from the data can rank better, on average). ``planted`` is :func:`truth`'s table.

    A customer is active at ``asof`` when subscribed in the month before it; "churns within ``horizon``
    months" is the health score's label (:func:`csa.health_features`). With ``h`` the monthly hazard and
    ``q = 1 − h``: a budget churn is memoryless, ``1 − q**horizon``; a customer whose usage began to fall
    ``j`` months before ``asof`` (the lead ``d`` is more than ``j``) churns in the window with probability
    ``Σ q**d`` over the leads ``j < d ≤ j + horizon`` ÷ ``Σ q**d`` over the leads ``d > j``; a customer with a
    signalling cause whose usage has not fallen yet is at least ``d`` months from churning:
    ``Σ p_d (q**d − q**horizon)⁺ ÷ Σ p_d q**d``.

    Examples
    --------
    >>> t = truth()
    >>> r = true_risk(t, "2026-04")
    >>> len(r), round(float(r.mean()), 3)
    (1170, 0.086)
    >>> h = t.loc[0, "hazard"]  # C00001 will leave for budget reasons: usage tells nothing, the hazard all
    >>> bool(np.isclose(r.loc["C00001"], 1 - (1 - h) ** 3))
    True
    """
    a = pd.Period(asof, "M")
    t = planted.loc[(planted["first_month"] <= a - 1) & (planted["churn_month"] > a - 1)]
    h = t["hazard"].to_numpy(float)
    q = 1 - h
    H = int(horizon)
    out = 1 - q ** H  # budget
    for c in CAUSES:
        leads = np.array(USAGE["lead_months"][c], dtype=float)
        if not len(leads):
            continue
        m = (t["cause"] == c).to_numpy()
        start = t["decline_from"].to_numpy()
        falling = m & np.array([s is not pd.NaT and s <= a - 1 for s in start])
        waiting = m & ~falling
        # not falling yet: churn is at least d months away, for each possible lead d
        qd = q[waiting, None] ** leads[None, :]
        out[waiting] = np.clip(qd - q[waiting, None] ** H, 0, None).sum(axis=1) / qd.sum(axis=1)
        if falling.any():
            j = np.array([(a - 1 - s).n for s in start[falling]], dtype=float)
            qd = q[falling, None] ** leads[None, :]
            later = leads[None, :] > j[:, None]
            inside = later & (leads[None, :] <= j[:, None] + H)
            out[falling] = (qd * inside).sum(axis=1) / (qd * later).sum(axis=1)
    return pd.Series(out, index=pd.Index(t["customer_id"].to_numpy(), name="customer_id"), name="true_risk")
