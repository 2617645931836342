"""The KPI catalogue: every KPI the handbook computes, declared once (:data:`KPIS`).

Each entry says what the KPI is (names and a one-sentence definition in English and Japanese,
unit, direction, KPI or KGI, grain, source articles), how it is counted (table, time column,
aggregation, kernel), how it is reported (statistic and interval, format) and which parts of its
definition are parameters (with their defaults). The registry, the scorecard, the engines, the
report, the notebooks' headline records and the glossary all read these entries; nothing else
restates a KPI's definition. Contested definitions (FCR's rule, a time's clock, CSAT's top boxes,
the same-period rule of churn) stay parameters with a documented default, and every page that
shows a KPI says which values it was computed with (:func:`csa.kpi.describe_params`).

One Japanese term per idea: the ``name["ja"]`` of an entry is the term the lessons, labels,
glossary and report use for it.

The KPIs of one table are declared through a small factory that states what they share once (the
table and time column, grain, kernel, section and sources): ``_surveys``, ``_tickets``,
``_subscriptions``; each entry gives only what makes it different.

>>> sorted(KPIS)[:6]
['abandonment', 'aht', 'ces', 'churn', 'complaints', 'completion']
>>> KPIS["fcr"].title("ja"), KPIS["fcr"].params["definition"].default
('一次解決率（FCR）', 'one_touch')
"""

from __future__ import annotations

from . import estimate as E
from . import kernels as K
from .spec import KPI, Fmt, Param

__all__ = ["KPIS", "ORDER"]

_SHARE = {"en": "share in % with the Wilson interval", "ja": "割合（%）とウィルソンの信頼区間"}
_MEAN = {"en": "mean with the Student-t interval", "ja": "平均とt分布による信頼区間"}
_TIME = {"en": "mean with the Student-t interval, or median with the distribution-free order-statistic interval",
         "ja": "平均とt分布による信頼区間、または中央値と順序統計量による（分布を仮定しない）信頼区間"}
_RATIO = {"en": "ratio of MRR sums with the delta-method interval (customers as units)",
          "ja": "MRRの合計の比と、デルタ法による信頼区間（顧客を単位とする）"}
_BOOTSTRAP = {"en": "mean over the customers with the BCa bootstrap interval (seeded resamples)",
              "ja": "顧客の平均と、BCa法のブートストラップ信頼区間（乱数シード固定の復元抽出）"}
_TOTAL = {"en": "a total of the period, not a sample: no interval",
          "ja": "期間の合計値（標本ではない）：信頼区間なし"}


def _touchpoint(defining: bool = False) -> Param:
    return Param(None, kind="text", defining=defining, titled=True,
                 doc={"en": "the touchpoint of the answers counted (empty: every touchpoint)",
                      "ja": "集計する回答のタッチポイント（空欄：すべてのタッチポイント）"})


def _clock(default: str = "business") -> dict[str, Param]:
    return {
        "clock": Param(default, ("business", "calendar"), defining=True, titled=True,
                       words={"business": {"en": "business hours", "ja": "営業時間"},
                              "calendar": {"en": "calendar time", "ja": "暦時間"}},
                       doc={"en": "business: working hours of working days only; calendar: elapsed time",
                            "ja": "business：営業日の営業時間だけを数える／calendar：経過時間（暦時間）"}),
        "hours": Param("09:00-18:00", kind="hours", doc={"en": "working hours of the business clock",
                                                          "ja": "営業時間（business の場合）"}),
        "holidays": Param("JP", kind="days", doc={"en": "public holidays of this country are not working days",
                                                   "ja": "この国の祝日を休業日とする"}),
        "closed": Param("12-29..01-03", kind="days", doc={"en": "company closing days (年末年始 by default)",
                                                           "ja": "会社の休業日（既定は年末年始）"}),
    }


_STATISTIC = Param("mean", ("mean", "median"), defining=True, titled=True,
                   words={"mean": {"en": "mean", "ja": "平均"}, "median": {"en": "median", "ja": "中央値"}},
                   doc={"en": "mean (article 001's average) or median (the typical ticket; Intercom reports it)",
                        "ja": "平均（記事001の「平均」）または中央値（典型的なチケット。Intercomが採用）"})

KPIS: dict[str, KPI] = {}


def _add(kpi: KPI) -> None:
    KPIS[kpi.id] = kpi


def _surveys(id: str, name: dict, *, abbr: str, rule: str, params: dict, definition: dict, unit: str = "%",
             statistic: dict = _SHARE, estimate: E.Statistic | None = None, fmt: Fmt | None = None,
             sources: tuple[str, ...] = ("000",), **more) -> KPI:
    """A KPI of the survey answers (``surveys``, placed in the period each was answered), counted by
    :class:`csa.kpi.kernels.Surveys` with its scale's ``rule`` and shown in its own section; a share
    with the Wilson interval unless ``statistic`` and ``estimate`` say otherwise."""
    return KPI(id, name, abbr, definition, "kpi", unit, "higher", "answer", "surveys", "responded_at", "counts",
               statistic, params, Fmt(1) if fmt is None else fmt,
               K.Surveys(survey=id, rule=rule, statistic=E.Share() if estimate is None else estimate),
               section=id, sources=sources, **{"breakdowns": ("touchpoint", "plan", "segment"), **more})


def _tickets(id: str, name: dict, *, kind: str, direction: str, definition: dict, section: str, abbr: str = "",
             unit: str = "%", grain: str = "ticket", aggregation: str = "counts", statistic: dict = _SHARE,
             estimate: E.Statistic | None = None, what: str = "", params: dict | None = None, digits: int = 1,
             **more) -> KPI:
    """A KPI of the ``tickets`` table (article 001's support KPIs), counted by :class:`csa.kpi.kernels.Tickets`
    (``what``, default the id) in the period each ticket was created and shown in ``section``, the part of the
    support lesson that teaches it (``support``: response times and SLA, ``resolution``, ``capacity``); a share
    with the Wilson interval unless ``statistic`` and ``estimate`` say otherwise."""
    return KPI(id, name, abbr, definition, kind, unit, direction, grain, "tickets", "created_at", aggregation,
               statistic, {} if params is None else params, Fmt(digits),
               K.Tickets(what=what or id, statistic=E.Share() if estimate is None else estimate),
               section=section, sources=("001",),
               **{"breakdowns": ("team", "channel", "priority", "plan"), **more})


def _subscriptions(id: str, name: dict, *, direction: str, kernel, definition: dict, params: dict, abbr: str = "",
                   aggregation: str = "counts", statistic: dict = _SHARE, digits: int = 2,
                   sources: tuple[str, ...] = ("002",), **more) -> KPI:
    """A KGI of the ``subscriptions`` (customer-months, placed by ``month``) in percent, computed by
    ``kernel`` (:class:`csa.kpi.kernels.CustomerChurn` or :class:`csa.kpi.kernels.Revenue`) and
    shown in the churn section."""
    return KPI(id, name, abbr, definition, "kgi", "%", direction, "customer", "subscriptions", "month", aggregation,
               statistic, params, Fmt(digits), kernel, section="churn", sources=sources,
               **{"breakdowns": ("plan", "segment"), **more})


# --------------------------------------------------------------------------------------- surveys
_add(_surveys(
    "nps", {"en": "Net Promoter Score", "ja": "ネット・プロモーター・スコア"}, abbr="NPS", rule="nps",
    unit="points", estimate=E.NPS(), fmt=Fmt(1, signed=True), scale=(-100.0, 100.0), sources=("000", "001", "003"),
    statistic={"en": "% promoters − % detractors with the adjusted-Wald interval (Rocks 2016) or the Wald interval",
               "ja": "推奨者の割合 − 批判者の割合と、調整Wald法（Rocks 2016）またはWald法による信頼区間"},
    definition={"en": "% promoters (9–10) − % detractors (0–6) among the answers to the 0–10 'would you recommend "
                      "us?' question; −100 to +100.",
                "ja": "0〜10の「勧めたいか」への回答のうち、推奨者（9〜10）の割合 − 批判者（0〜6）の割合。"
                      "−100〜+100。"},
    params={"touchpoint": _touchpoint(defining=True),
            "method": Param("adjusted-wald", ("adjusted-wald", "wald"),
                            doc={"en": "interval method", "ja": "信頼区間の計算方法"})}))

_add(_surveys(
    "csat", {"en": "Customer satisfaction", "ja": "顧客満足度"}, abbr="CSAT", rule="top", sources=("000", "001"),
    definition={"en": "Share of 1–5 satisfaction answers in the top boxes (4 and 5 by default); on a good/bad "
                      "scale (the answers' scale 2), good ÷ (good + bad).",
                "ja": "1〜5の満足度の回答のうち、上位の選択肢（既定は4と5）の割合。良い／悪いの2段階の回答"
                      "（尺度2）では、良い ÷（良い＋悪い）。"},
    params={"touchpoint": _touchpoint(),
            "top": Param(2, kind="int", low=1, high=4, defining=True, titled=True,
                         words={1: {"en": "5 of 5", "ja": "5のみ"}, 2: {"en": "4–5 of 5", "ja": "4〜5"},
                                3: {"en": "3–5 of 5", "ja": "3〜5"}, 4: {"en": "2–5 of 5", "ja": "2〜5"}},
                         doc={"en": "top boxes counted as satisfied: 2 (4 and 5, the usual rule) or 1 (5 only)",
                              "ja": "満足とみなす上位の選択肢の数：2（4と5、一般的）または1（5のみ）"})}))

_add(_surveys(
    "ces", {"en": "Customer effort score", "ja": "顧客努力指標"}, abbr="CES", rule="easy",
    definition={"en": "Share of 1–7 effort answers at the easy end (1–3 by default): a higher share means less "
                      "effort.",
                "ja": "1〜7の努力（手間）の回答のうち、楽な側（既定は1〜3）の割合。割合が高いほど手間が少ない。"},
    params={"touchpoint": _touchpoint(),
            "easy_end": Param("low", ("low", "high"),
                              doc={"en": "which end of the scale is little effort: low (this data model) or high "
                                         "(CES 2.0)",
                                   "ja": "どちらの端が「手間が少ない」か：low（このデータモデル）またはhigh"
                                         "（CES 2.0）"}),
            "boxes": Param(3, kind="int", low=1, high=6, defining=True,
                           doc={"en": "answers at the easy end counted as easy", "ja": "楽とみなす選択肢の数"})}))

_add(KPI(
    "gcr", {"en": "Goal completion rate", "ja": "目標達成率"}, "GCR",
    {"en": "Share of the customers who tried a goal (set-up, a download, a plan change) in the period that "
           "completed it at least once (article 000); or, counted per attempt, the share of attempts.",
     "ja": "期間中に目的（初期設定、ダウンロード、プラン変更など）を試した顧客のうち、1回以上完了した顧客の割合"
           "（記事000）。試行単位で数える場合は、完了した試行の割合。"},
    "kpi", "%", "higher", "customer", "goals", "started_at", "counts", _SHARE,
    {"goal": Param(None, kind="text", defining=True, titled=True, doc={"en": "the goal counted (empty: every goal)",
                                                          "ja": "集計する目的（空欄：すべて）"}),
     "channel": Param(None, kind="text", titled=True, doc={"en": "the channel counted (empty: every channel)",
                                              "ja": "集計するチャネル（空欄：すべて）"}),
     "unit": Param("customer", ("customer", "attempt"), titled=True,
                   words={"attempt": {"en": "per attempt", "ja": "試行あたり"},
                          "customer": {"en": "per customer", "ja": "顧客あたり"}},
                   doc={"en": "customer: customers who completed ÷ customers who tried (article 000); attempt: "
                              "completions ÷ attempts (a usability test's count when each attempt is one user)",
                        "ja": "customer：完了した顧客 ÷ 試した顧客（記事000）／attempt：完了した試行 ÷ 試行"
                              "（1人1回の試行ならユーザビリティテストの数え方）"})},
    Fmt(1), K.Goals(statistic=E.Share()), section="gcr", sources=("000",), breakdowns=("channel", "plan", "segment")))

# --------------------------------------------------------------------------------------- support
_FCR_DEFINITION = Param("one_touch", ("one_touch", "zendesk", "exactly_one", "all_contacts"), defining=True,
                        titled=True,
                        words={"one_touch": {"en": "one touch, not reopened", "ja": "再オープンなしのワンタッチ"},
                               "zendesk": {"en": "Zendesk one-touch", "ja": "Zendeskのワンタッチ"},
                               "exactly_one": {"en": "exactly one reply", "ja": "返信がちょうど1回"},
                               "all_contacts": {"en": "over all contacts", "ja": "全問い合わせが分母"}},
                        doc={"en": "one_touch: ≤ 1 reply and not reopened ÷ solved; zendesk: < 2 replies ÷ solved; "
                                   "exactly_one: 1 reply ÷ solved; all_contacts: one_touch ÷ all tickets",
                             "ja": "one_touch：返信1回以下かつ再オープンなし÷解決済み／zendesk：返信2回未満÷解決済み／"
                                   "exactly_one：返信ちょうど1回÷解決済み／all_contacts：one_touch÷すべてのチケット"})

_add(_tickets(
    "frt", {"en": "First response time", "ja": "初回応答時間"}, kind="kpi", abbr="FRT", unit="minutes",
    section="support",
    direction="lower", aggregation="sums and order statistics", statistic=_TIME, estimate=E.Time(),
    definition={"en": "Minutes from a ticket's creation to the first agent reply (article 001's ART is its mean); "
                      "tickets without a reply yet are left out.",
                "ja": "チケットの受付から担当者の最初の回答までの分数（記事001のARTはその平均）。"
                      "まだ回答のないチケットは除く。"},
    params={"statistic": _STATISTIC, **_clock()}, scale=(0.0, float("inf"))))

_DATE_BY = Param(None, ("created", "solved"), titled=True,
                 words={"created": {"en": "by creation date", "ja": "受付日基準"},
                        "solved": {"en": "by solve date", "ja": "解決日基準"}},
                 doc={"en": "which date places a ticket in a period: empty or created, its creation (this handbook); "
                            "solved, its solve time (Zendesk's dating of resolution KPIs; unsolved tickets are in no "
                            "period)",
                      "ja": "チケットを期間に割り当てる日付：空欄またはcreated＝受付日（このハンドブック）／solved＝"
                            "解決日（Zendeskの解決系KPIの数え方。未解決のチケットはどの期間にも入らない）"})

_add(_tickets(
    "resolution_time", {"en": "Time to resolution", "ja": "解決時間"}, kind="kpi", unit="minutes", direction="lower",
    section="support",
    aggregation="sums and order statistics", statistic=_TIME, estimate=E.Time(), what="resolution",
    definition={"en": "Minutes from a ticket's creation to its resolution, over solved tickets.",
                "ja": "チケットの受付から解決までの分数（解決済みのチケットのみ）。"},
    params={"statistic": _STATISTIC, **_clock(), "date_by": _DATE_BY}, scale=(0.0, float("inf"))))

_add(_tickets(
    "fcr", {"en": "First contact resolution", "ja": "一次解決率"}, kind="kpi", abbr="FCR", direction="higher",
    section="resolution",
    definition={"en": "Share of tickets solved at the first contact (one agent reply at most, not reopened by "
                      "default), out of the solved tickets (all tickets when every contact counts).",
                "ja": "最初の対応で解決したチケット（既定：担当者の返信が1回以下で再オープンなし）の割合。"
                      "分母は解決済みのチケット（すべての問い合わせを分母とする定義では、すべてのチケット）。"},
    params={"definition": _FCR_DEFINITION, "date_by": _DATE_BY}))

_add(_tickets(
    "completion", {"en": "Completion rate", "ja": "対応完了率"}, kind="kpi", direction="higher",
    section="resolution",
    definition={"en": "Solved tickets ÷ all tickets created in the period (article 001); still-open tickets count "
                      "as not completed.",
                "ja": "期間に受け付けたチケットのうち解決済みの割合（記事001）。"
                      "対応中のチケットは未完了として数える。"}))

_add(_tickets(
    "abandonment", {"en": "Abandonment rate", "ja": "対応中断率"}, kind="kpi", direction="lower",
    section="resolution",
    definition={"en": "Contacts abandoned after they started ÷ contacts started (article 001).",
                "ja": "対応を開始した後に中断した問い合わせ ÷ 開始した問い合わせ（記事001）。"}))

_add(_tickets(
    "quality", {"en": "Response quality", "ja": "問い合わせ対応品質"}, kind="kpi", unit="score", direction="higher",
    section="resolution",
    aggregation="sums", statistic=_MEAN, estimate=E.Mean(),
    definition={"en": "Mean QA-review score (0–100) of the reviewed tickets.",
                "ja": "品質レビューを受けたチケットのレビュー点（0〜100）の平均。"}))

_add(_tickets(
    "aht", {"en": "Average handle time", "ja": "平均処理時間"}, kind="kpi", abbr="AHT", unit="minutes",
    section="resolution",
    direction="lower", aggregation="sums", statistic=_MEAN, estimate=E.Mean(), scale=(0.0, float("inf")),
    definition={"en": "Mean recorded handle time (talk, hold and after-contact work) in minutes of the tickets an "
                      "agent worked on.",
                "ja": "担当者が対応したチケットの記録された処理時間（通話・保留・後処理）の平均（分）。"}))

_add(_tickets(
    "volume", {"en": "Inquiry volume", "ja": "問い合わせ件数"}, kind="kpi", unit="count", direction="lower",
    section="capacity",
    grain="period", statistic=_TOTAL, estimate=E.Total(), digits=0, scale=(0.0, float("inf")),
    definition={"en": "Tickets created in the period.", "ja": "期間に受け付けたチケットの件数。"}))

_add(_tickets(
    "complaints", {"en": "Complaint rate", "ja": "苦情率"}, kind="kgi", direction="lower",
    section="resolution",
    definition={"en": "Tickets marked as complaints ÷ all tickets (fewer complaints is a KGI of article 001).",
                "ja": "苦情とされたチケット ÷ すべてのチケット（苦情の減少は記事001のKGI）。"}))

_add(_tickets(
    "sla", {"en": "SLA achievement", "ja": "SLA達成率"}, kind="kgi", direction="higher",
    section="support",
    definition={"en": "Share of tickets whose first response met the target of their priority; a ticket still "
                      "waiting past its target counts as missed, one still within it is left out.",
                "ja": "初回応答が優先度ごとの目標時間内だったチケットの割合。"
                      "目標時間を過ぎても未回答のチケットは未達成、まだ目標時間内のものは除く。"},
    params={"targets": Param({"urgent": 1.0, "high": 4.0, "normal": 8.0, "low": 24.0}, kind="targets",
                             defining=True, doc={"en": "first-response target per priority, in hours of the clock",
                                                 "ja": "優先度ごとの初回応答の目標（時計の時間単位）"}),
            **_clock()}))

_add(KPI(
    "cpi", {"en": "Cost per incident", "ja": "1件あたりの対応コスト"}, "CPI",
    {"en": "Support cost of the period ÷ tickets created in it (or solved in it).",
     "ja": "期間のサポート費用 ÷ その期間に受け付けた（または解決した）チケットの件数。"},
    "kpi", "JPY", "lower", "period", "tickets", "created_at", "totals", _TOTAL,
    {"definition": Param("all", ("all", "resolved"),
                         words={"all": {"en": "per ticket created", "ja": "受付件数あたり"},
                                "resolved": {"en": "per ticket solved", "ja": "解決件数あたり"}},
                         doc={"en": "all: ÷ tickets created (MetricNet/HDI); resolved: ÷ tickets solved",
                              "ja": "all：受け付けたチケットで割る（MetricNet/HDI）／"
                                    "resolved：解決したチケットで割る"})},
    Fmt(0), K.CostPerTicket(), needs=("support_costs",), scale=(0.0, float("inf")), section="capacity",
    sources=("001",)))

# --------------------------------------------------------------------------------------- subscriptions
_SAME_PERIOD = Param("exclude", ("exclude", "include", "ignore", "both"),
                     doc={"en": "customers who joined and left inside a quarter or year: exclude (ChartMogul), "
                                "include (Baremetrics), ignore (ProfitWell), both (Stripe)",
                          "ja": "四半期・年度の中で契約して解約した顧客の扱い：exclude（ChartMogul）、include"
                                "（Baremetrics）、ignore（ProfitWell）、both（Stripe）"})
_IGNORE = Param(False, kind="bool", doc={"en": "leave out every movement of customers who joined and left inside the "
                                               "period (ProfitWell)",
                                         "ja": "期間内に契約して解約した顧客の動きをすべて除く（ProfitWell）"})

_add(_subscriptions(
    "churn", {"en": "Customer churn rate", "ja": "顧客解約率"}, direction="lower", kernel=K.CustomerChurn(),
    definition={"en": "Customers lost in the period ÷ customers at the end of the month before it × 100 "
                      "(article 002).",
                "ja": "期間中に失った顧客数 ÷ 前月末の顧客数 × 100（記事002）。"},
    params={"same_period": _SAME_PERIOD}, sources=("002", "004")))

_add(_subscriptions(
    "retention", {"en": "Customer retention rate", "ja": "顧客継続率"}, direction="higher",
    definition={"en": "Customers at the end of the month before the period who are still subscribed at its end.",
                "ja": "前月末の顧客のうち、期間の終わりにも契約している顧客の割合。"},
    kernel=K.CustomerChurn(retention=True), params={}, sources=("002", "004")))

_add(_subscriptions(
    "revenue_churn", {"en": "Revenue churn rate", "ja": "売上解約率"}, direction="lower",
    aggregation="per-customer sums", statistic=_RATIO, params={"ignore_same_period": _IGNORE},
    definition={"en": "MRR lost in the period to cancellations and downgrades ÷ MRR of the month before it × 100 "
                      "(article 002; gross: expansions do not offset it).",
                "ja": "期間中に解約とダウングレードで失ったMRR ÷ 前月のMRR × 100"
                      "（記事002。グロス：アップグレードで相殺しない）。"},
    kernel=K.Revenue(kind="gross", statistic=E.Ratio(floor=0.0))))

_add(_subscriptions(
    "nrr", {"en": "Net revenue retention", "ja": "ネット売上継続率"}, abbr="NRR", direction="higher",
    aggregation="per-customer sums", statistic=_RATIO, digits=1, scale=(0.0, float("inf")),
    definition={"en": "MRR kept from the customers subscribed at the start (the end of the month before): "
                      "(start + expansion − contraction − churn) ÷ start; above 100 % when they outgrow the losses.",
                "ja": "期首（前月末）に契約していた顧客のMRRに、その顧客のアップグレードを加え、ダウングレードと解約を"
                      "引いたものを期首MRRで割った値：（期首 ＋ アップグレード − ダウングレード − 解約）÷ 期首。"
                      "増加が減少を上回れば100%を超える。"},
    params={"reactivation": Param(False, kind="bool",
                                  doc={"en": "false: the start-of-month cohort only (ChartMogul's and Baremetrics' "
                                             "NRR); true: returning customers' MRR offsets losses too (as ChartMogul's "
                                             "net MRR churn rate does)",
                                       "ja": "false：期首の顧客のみ（ChartMogulとBaremetricsのNRR）／true：再契約した"
                                             "顧客のMRRでも減少を相殺する（ChartMogulのネットMRR解約率と同じ）"}),
            "ignore_same_period": _IGNORE},
    kernel=K.Revenue(kind="net", statistic=E.Ratio(complement=True))))

_add(_subscriptions(
    "grr", {"en": "Gross revenue retention", "ja": "グロス売上継続率"}, abbr="GRR", direction="higher",
    aggregation="per-customer sums", statistic=_RATIO, digits=1, params={"ignore_same_period": _IGNORE},
    definition={"en": "100 % − revenue churn: MRR kept from the customers of the month before, losses only; at most "
                      "100 %.",
                "ja": "100% − 売上解約率：前月の顧客から維持したMRR（減少分のみを数える）。100%以下。"},
    kernel=K.Revenue(kind="gross", statistic=E.Ratio(complement=True, floor=0.0))))

# --------------------------------------------------------------------------------------- value
_add(KPI(
    "ltv", {"en": "Customer lifetime value", "ja": "顧客生涯価値"}, "LTV",
    {"en": "Mean, over the customers subscribed in the period's last month, of average purchase × gross margin × "
           "purchases per year × years retained (article 002).",
     "ja": "期間の最終月に契約中の顧客の、平均購入単価 × 粗利率 × 年間購入回数 × 継続年数（記事002）の平均。"},
    "kgi", "JPY", "higher", "customer", "orders", "ordered_at", "per-customer sums", _BOOTSTRAP,
    {"churn_by": Param("plan", ("plan", "segment"), titled=True,
                       words={"plan": {"en": "churn by plan", "ja": "プラン別の解約率"},
                              "segment": {"en": "churn by segment", "ja": "セグメント別の解約率"}},
                       doc={"en": "whose churn gives a customer's years retained: their plan's or their segment's "
                                  "(named churn_by, not by: csa.kpi.table's by= groups the result)",
                            "ja": "継続年数の元になる解約率：顧客のプランのものか、セグメントのものか"}),
     "cap": Param(5.0, tuple(k / 2 for k in range(2, 21)),
                  doc={"en": "cap of years retained, 1 to 10 in half years (1 ÷ annual churn is cut here)",
                       "ja": "継続年数の上限：1〜10年（0.5年刻み。1 ÷ 年間解約率をここで打ち切る）"}),
     "churn_months": Param(12, kind="int", low=1, high=60,
                           doc={"en": "trailing months of churn behind years retained",
                                "ja": "継続年数の元になる解約率の集計月数（直近）"}),
     "n_resamples": Param(2000, kind="int", low=10, high=100_000,
                          doc={"en": "bootstrap resamples of the interval", "ja": "ブートストラップの復元抽出の回数"}),
     "seed": Param(0, kind="int", low=0, high=2**32 - 1,
                   doc={"en": "random seed of the bootstrap (same seed, same interval)",
                        "ja": "ブートストラップの乱数シード（同じシードなら同じ信頼区間）"})},
    Fmt(0), K.LTV(), needs=("subscriptions", "customers"), scale=(0.0, float("inf")), section="ltv",
    sources=("002",)))

#: the order pages list the catalogue in (the report sections' order)
ORDER = tuple(KPIS)
