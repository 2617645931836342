"""The canonical data model: eight tables, one row per thing.

Every loader, generator, metric and notebook uses the names defined here. ``data/README.md``
documents the same model for people; ``tests/test_schema.py`` keeps the two in step.

Column kinds
------------
``id``        text identifier (``C00001``); ``key`` columns must be unique
``text``      free text
``category``  a label that groups rows. *Closed* (``allowed`` set): only those values, because
              code depends on their meaning (``status``, ``survey``, ``priority``). *Open*
              (``allowed`` is ``None``): the user's own values (plans, segments, channels, …);
              the values the handbook knows (``known``) are matched without regard to case and
              get translated labels and a defined order (:func:`order`); others are kept as
              written.
              Either kind can be renamed by a mapping's ``values:``.
``int``       integer (nullable ``Int64``)
``float``     real number (``float64``)
``bool``      true/false (nullable ``boolean``); ``true/false, 1/0, yes/no, はい/いいえ`` accepted
``datetime``  timestamp with a UTC offset in files, converted to the business time zone
``date``      calendar date (``datetime64``, no time zone)
``month``     calendar month ``YYYY-MM`` (``period[M]``)
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SURVEY_SCALES", "TABLES", "TABLE_ORDER", "Column", "Table", "markdown", "order", "table"]

#: Score scale of each survey type (inclusive bounds). Source article 000.
SURVEY_SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    meaning: str
    required: bool = True
    nullable: bool = False
    unit: str = ""
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    example: str = ""
    #: open categories: values the handbook knows (labels in csa/labels/common.yaml), in display order
    known: tuple[str, ...] | None = None
    #: names an export may give this column (used to point out an unmapped look-alike, never to guess)
    aliases: tuple[str, ...] = ()

    @property
    def closed(self) -> bool:
        """A category that accepts only its ``allowed`` values."""
        return self.kind == "category" and self.allowed is not None


@dataclass(frozen=True)
class Table:
    name: str
    key: str | None
    meaning: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    required: bool = False

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


C = Column

CUSTOMERS = Table(
    "customers", "customer_id", "One row per customer (account).", required=True,
    columns=(
        C("customer_id", "id", "Customer identifier, unique.", example="C00001",
          aliases=("顧客ID", "取引先ID", "アカウントID", "会社ID")),
        C("name", "text", "Customer (company) name.", example="株式会社サンプル",
          aliases=("顧客名", "会社名", "取引先名", "アカウント名")),
        C("signup_date", "date", "Date the customer first subscribed; empty when unknown (a CRM account without "
          "billing history).", required=False, nullable=True, example="2024-04-15",
          aliases=("契約開始日", "登録日", "申込日")),
        C("plan", "category", "Subscribed plan: your own plan names.",
          known=("starter", "standard", "premium"),
          required=False, nullable=True, example="standard", aliases=("プラン", "契約プラン")),
        C("segment", "category", "Company size segment: your own segments.",
          known=("smb", "mid_market", "enterprise"),
          required=False, nullable=True, example="smb", aliases=("セグメント", "企業規模")),
        C("region", "category", "Region, as you name them (e.g. 関東).", required=False, nullable=True, example="関東",
          aliases=("地域", "エリア")),
        C("csm", "text", "Assigned customer-success manager; empty when none.", required=False,
          nullable=True, example="佐藤", aliases=("担当CSM", "CSM担当", "カスタマーサクセス担当")),
    ),
)

SUBSCRIPTIONS = Table(
    "subscriptions", None,
    "One row per subscribed customer-month; no row means not subscribed that month.",
    columns=(
        C("customer_id", "id", "Customer.", example="C00001", aliases=("顧客ID", "取引先ID")),
        C("month", "month", "Calendar month, YYYY-MM.", example="2026-10", aliases=("月", "年月", "対象月")),
        C("mrr", "float", "Monthly recurring revenue that month.", unit="JPY", min=0,
          example="50000", aliases=("月額", "月額料金", "月次経常収益")),
    ),
)

ORDERS = Table(
    "orders", "order_id", "Every purchase or invoice (for LTV and repeat purchase).",
    columns=(
        C("order_id", "id", "Order or invoice identifier, unique.", example="O0000001",
          aliases=("注文ID", "請求ID", "注文番号", "請求番号")),
        C("customer_id", "id", "Customer.", example="C00001", aliases=("顧客ID", "取引先ID")),
        C("ordered_at", "datetime", "When the order was placed or invoiced.",
          example="2026-10-01T09:00:00+09:00", aliases=("注文日時", "注文日", "請求日")),
        C("amount", "float", "Amount charged (> 0).", unit="JPY", min=0, min_exclusive=True,
          example="50000", aliases=("金額", "請求額", "注文金額")),
        C("gross_margin", "float", "Gross margin of the order as a fraction.", unit="0-1",
          min=0, max=1, example="0.78", aliases=("粗利率",)),
    ),
)

TICKETS = Table(
    "tickets", "ticket_id", "One row per support inquiry (ticket).",
    columns=(
        C("ticket_id", "id", "Ticket identifier, unique.", example="T0000001", aliases=("チケットID", "問い合わせID")),
        C("customer_id", "id", "Customer who raised it; empty: not linked to a known customer (counted in "
          "the ticket KPIs, left out where a customer attribute is needed).", nullable=True, example="C00001",
          aliases=("顧客ID", "組織ID", "取引先ID")),
        C("channel", "category", "Contact channel: your own channels (e.g. LINE).",
          known=("phone", "email", "chat", "web_form"),
          required=False, nullable=True, example="email", aliases=("チャネル", "経路")),
        C("category", "category", "Inquiry category, as you name them (e.g. billing, technical).",
          required=False, nullable=True, example="billing", aliases=("カテゴリ", "カテゴリー", "問い合わせ種別")),
        C("priority", "category", "Priority.", allowed=("low", "normal", "high", "urgent"),
          required=False, nullable=True, example="normal", aliases=("優先度",)),
        C("team", "category", "Support team that handled it, as you name them.",
        required=False, nullable=True, example="east",
          aliases=("チーム", "グループ")),
        C("agent", "text", "Agent who handled it.",
        required=False, nullable=True, example="佐藤", aliases=("担当者", "担当エージェント")),
        C("created_at", "datetime", "When the inquiry arrived.",
          example="2026-10-01T10:02:00+09:00", aliases=("作成日時", "受付日時")),
        C("first_response_at", "datetime", "First agent response; empty if none yet.",
          nullable=True, example="2026-10-01T10:40:00+09:00", aliases=("初回返信日時", "初回応答日時")),
        C("resolved_at", "datetime", "When it was resolved; empty if not resolved.",
          nullable=True, example="2026-10-01T15:10:00+09:00", aliases=("解決日時",)),
        C("status", "category", "Outcome: solved, abandoned (interrupted after it started), "
          "or still open.", allowed=("solved", "abandoned", "open"), example="solved",
          aliases=("ステータス", "状態")),
        C("agent_replies", "int", "Number of agent replies.", min=0, example="2",
          aliases=("担当者返信数", "返信数")),
        C("reopened", "bool", "Reopened after being marked solved.",
        required=False, nullable=True, example="false", aliases=("再オープン",)),
        C("handle_time_min", "float", "Handle time: talk + hold + after-contact work.",
          unit="minutes", min=0, required=False, nullable=True, example="18.5",
          aliases=("対応時間（分）", "対応時間", "処理時間")),
        C("quality_score", "float", "QA review score; QA-reviewed tickets only.", unit="0-100",
          min=0, max=100, required=False, nullable=True, example="86", aliases=("品質スコア", "QAスコア")),
        C("is_complaint", "bool", "The inquiry is a complaint.",
        required=False, nullable=True, example="false", aliases=("クレーム", "苦情")),
    ),
)

SURVEYS = Table(
    "surveys", "response_id", "One row per survey response (NPS, CSAT or CES).",
    columns=(
        C("response_id", "id", "Response identifier, unique.", example="R0000001", aliases=("回答ID",)),
        C("customer_id", "id", "Responding customer; empty: not linked to a known customer (counted in the "
          "survey scores, left out where a customer attribute is needed).", nullable=True, example="C00001",
          aliases=("顧客ID", "取引先ID")),
        C("survey", "category", "Survey type; sets the score scale.",
          allowed=("nps", "csat", "ces"), example="nps", aliases=("調査種別", "アンケート種別")),
        C("touchpoint", "category", "Where the survey was sent: your own touchpoints (e.g. onboarding).",
          known=("post_purchase", "web_visit", "support_contact", "sales_call", "relationship", "onboarding"),
          example="support_contact", aliases=("タッチポイント", "接点")),
        C("ticket_id", "id", "Ticket the survey followed, if any.", required=False,
          nullable=True, example="T0000001", aliases=("チケットID", "問い合わせID")),
        C("responded_at", "datetime", "When the customer answered.",
          example="2026-10-02T12:00:00+09:00", aliases=("回答日時", "回答日")),
        C("score", "int", "Score: NPS 0-10, CSAT 1-5 (or 1-`scale`), CES 1-7 (lower effort is better); "
          "empty: the question was not answered (left out of the scores and counted).", nullable=True,
          example="9", aliases=("スコア", "点数")),
        C("scale", "int", "Top of the answer's scale when it is not the survey's usual one: 2 for a "
          "good/bad CSAT (Zendesk: 2 = good, 1 = bad), 7 for a 1-7 CSAT; empty: NPS 10, CSAT 5, CES 7.",
          required=False, nullable=True, min=2, max=10, example="5", aliases=("尺度",)),
        C("comment", "text", "Free-text comment.", required=False, nullable=True,
          example="対応が早くて助かりました。", aliases=("コメント", "自由記述", "自由回答", "フリーコメント")),
    ),
)

GOALS = Table(
    "goals", "attempt_id", "One row per attempt of a customer to complete a goal (GCR).",
    columns=(
        C("attempt_id", "id", "Attempt identifier, unique.", example="G0000001", aliases=("試行ID",)),
        C("customer_id", "id", "Customer who attempted it.", example="C00001", aliases=("顧客ID", "取引先ID")),
        C("goal", "text", "Goal attempted (e.g. setup, invoice_download).", example="setup",
          aliases=("目標", "ゴール")),
        C("channel", "category", "Where it was attempted: your own channels.", known=("web", "app"),
          example="web", aliases=("チャネル", "経路")),
        C("started_at", "datetime", "When the attempt started.",
          example="2026-10-03T14:00:00+09:00", aliases=("開始日時",)),
        C("completed", "bool", "The goal was completed.", example="true", aliases=("完了", "達成")),
    ),
)

SUPPORT_COSTS = Table(
    "support_costs", None,
    "Support cost per month and team (for cost per incident, CPI); one row per month and team.",
    columns=(
        C("month", "month", "Calendar month, YYYY-MM.", example="2026-10", aliases=("月", "年月", "対象月")),
        C("team", "text", "Support team, as named in tickets; empty: cost not allocated to a team (it "
          "counts only in the all-teams CPI).", required=False, nullable=True, example="east",
          aliases=("チーム", "担当チーム")),
        C("amount", "float", "Fully loaded cost that month: staff, overhead, tools.", unit="JPY", min=0,
          example="4850000", aliases=("金額", "費用", "コスト")),
    ),
)

USAGE = Table(
    "usage", None,
    "Product usage per customer and month (for the health score); one row per customer and month.",
    columns=(
        C("customer_id", "id", "Customer.", example="C00001", aliases=("顧客ID", "取引先ID", "アカウントID")),
        C("month", "month", "Calendar month, YYYY-MM.", example="2026-10", aliases=("月", "年月", "対象月")),
        C("seats", "int", "Seats (licences) the customer had that month.", min=0, required=False, nullable=True,
          example="25", aliases=("席数", "ライセンス数", "契約ID数")),
        C("active_users", "int", "Users who used the product that month (at most the seats, when both are "
          "known).", min=0, required=False, nullable=True, example="18",
          aliases=("アクティブユーザー数", "利用ユーザー数", "MAU")),
        C("logins", "int", "Logins that month.", min=0, required=False, nullable=True, example="240",
          aliases=("ログイン数", "ログイン回数")),
        C("key_features", "int", "How many of the product's key features were used that month.", min=0,
          required=False, nullable=True, example="5", aliases=("主要機能利用数", "利用機能数")),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (CUSTOMERS, SUBSCRIPTIONS, ORDERS, TICKETS, SURVEYS, GOALS, SUPPORT_COSTS, USAGE)
}
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)


def table(name: str) -> Table:
    """The :class:`Table` called ``name``; a clear error for an unknown name."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; the tables are: {', '.join(TABLES)}") from None


_KIND_DOC = {"id": "text (id)", "text": "text", "int": "integer", "float": "number", "bool": "true/false",
             "datetime": "timestamp with offset", "date": "date YYYY-MM-DD", "month": "month YYYY-MM"}


def _kind_doc(c: Column) -> str:
    if c.kind == "category":
        return "text (allowed values)" if c.closed else "text (your values)"
    return _KIND_DOC[c.kind]


def order(table_name: str, column: str, values) -> list:
    """``values`` in display order: the known values of an open category first, in the
    handbook's order, then the others as written, sorted. Missing values are left out.

    >>> order("customers", "plan", ["Pro", "premium", "ライト", "starter", "Pro"])
    ['starter', 'premium', 'Pro', 'ライト']
    >>> order("tickets", "status", ["solved", "open"])  # a closed set: its allowed order
    ['solved', 'open']
    """
    col = table(table_name).column(column)
    ref = col.known or col.allowed or ()
    present = {v for v in values if isinstance(v, str)}
    return [v for v in ref if v in present] + sorted(present - set(ref))


def markdown() -> str:
    """The data model as Markdown tables (the generated part of ``data/README.md``)."""
    out = []
    for t in TABLES.values():
        out.append(f"### `{t.name}` {'(required)' if t.required else '(optional)'}\n")
        out.append(f"{t.meaning}" + (f" Key: `{t.key}` (unique)." if t.key else "") + "\n")
        out.append("| column | type | required | unit | meaning | values | example |")
        out.append("|---|---|---|---|---|---|---|")
        for c in t.columns:
            req = "yes" if c.required and not c.nullable else ("column yes, may be empty" if c.required else "no")
            rng = ""
            if c.allowed:
                rng = "only " + ", ".join(f"`{a}`" for a in c.allowed)
            elif c.kind == "category":
                rng = "any" + (" (known: " + ", ".join(f"`{a}`" for a in c.known) + ")" if c.known else "")
            elif c.min is not None or c.max is not None:
                lo = "" if c.min is None else (f"> {c.min:g}" if c.min_exclusive else f"≥ {c.min:g}")
                hi = "" if c.max is None else f"≤ {c.max:g}"
                rng = " and ".join(x for x in (lo, hi) if x)
            out.append(f"| `{c.name}` | {_kind_doc(c)} | {req} | {c.unit} | {c.meaning} | {rng} | `{c.example}` |")
        out.append("")
        out.append("Example row:\n")
        out.append("```csv\n" + ",".join(t.names) + "\n" + ",".join(
            (f'"{c.example}"' if "," in c.example else c.example) for c in t.columns) + "\n```\n")
    return "\n".join(out)
