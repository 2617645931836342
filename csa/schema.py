"""The canonical data model: six tables, one row per thing.

Every loader, generator, metric and notebook uses the names defined here. ``data/README.md``
documents the same model for people; ``tests/test_schema.py`` keeps the two in step.

Column kinds
------------
``id``        text identifier (``C00001``); ``key`` columns must be unique
``text``      free text
``category``  text restricted to ``allowed`` values (after mapping)
``int``       integer (nullable ``Int64``)
``float``     real number (``float64``)
``bool``      true/false (nullable ``boolean``); ``true/false, 1/0, yes/no, はい/いいえ`` accepted
``datetime``  timestamp with a UTC offset in files, converted to the business time zone
``date``      calendar date (``datetime64``, no time zone)
``month``     calendar month ``YYYY-MM`` (``period[M]``)
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SURVEY_SCALES", "TABLES", "TABLE_ORDER", "Column", "Table", "markdown", "table"]

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
        C("customer_id", "id", "Customer identifier, unique.", example="C00001"),
        C("name", "text", "Customer (company) name.", example="株式会社サンプル"),
        C("signup_date", "date", "Date the customer first subscribed.", example="2024-04-15"),
        C("plan", "category", "Subscribed plan.", allowed=("starter", "standard", "premium"),
          example="standard"),
        C("segment", "category", "Company size segment.",
          allowed=("smb", "mid_market", "enterprise"), example="smb"),
        C("region", "text", "Region (free text, e.g. 関東).", example="関東"),
        C("csm", "text", "Assigned customer-success manager; empty when none.", required=False,
          nullable=True, example="佐藤"),
    ),
)

SUBSCRIPTIONS = Table(
    "subscriptions", None,
    "One row per subscribed customer-month; no row means not subscribed that month.",
    columns=(
        C("customer_id", "id", "Customer.", example="C00001"),
        C("month", "month", "Calendar month, YYYY-MM.", example="2026-10"),
        C("mrr", "float", "Monthly recurring revenue that month.", unit="JPY", min=0,
          example="50000"),
    ),
)

ORDERS = Table(
    "orders", "order_id", "Every purchase or invoice (for LTV and repeat purchase).",
    columns=(
        C("order_id", "id", "Order or invoice identifier, unique.", example="O0000001"),
        C("customer_id", "id", "Customer.", example="C00001"),
        C("ordered_at", "datetime", "When the order was placed or invoiced.",
          example="2026-10-01T09:00:00+09:00"),
        C("amount", "float", "Amount charged (> 0).", unit="JPY", min=0, min_exclusive=True,
          example="50000"),
        C("gross_margin", "float", "Gross margin of the order as a fraction.", unit="0-1",
          min=0, max=1, example="0.78"),
    ),
)

TICKETS = Table(
    "tickets", "ticket_id", "One row per support inquiry (ticket).",
    columns=(
        C("ticket_id", "id", "Ticket identifier, unique.", example="T0000001"),
        C("customer_id", "id", "Customer who raised it.", example="C00001"),
        C("channel", "category", "Contact channel.",
          allowed=("phone", "email", "chat", "web_form"), example="email"),
        C("category", "text", "Inquiry category (e.g. billing, technical).", example="billing"),
        C("priority", "category", "Priority.", allowed=("low", "normal", "high", "urgent"),
          example="normal"),
        C("team", "text", "Support team that handled it.", example="tokyo"),
        C("agent", "text", "Agent who handled it.", example="佐藤"),
        C("created_at", "datetime", "When the inquiry arrived.",
          example="2026-10-01T10:02:00+09:00"),
        C("first_response_at", "datetime", "First agent response; empty if none yet.",
          nullable=True, example="2026-10-01T10:40:00+09:00"),
        C("resolved_at", "datetime", "When it was resolved; empty if not resolved.",
          nullable=True, example="2026-10-01T15:10:00+09:00"),
        C("status", "category", "Outcome: solved, abandoned (interrupted after it started), "
          "or still open.", allowed=("solved", "abandoned", "open"), example="solved"),
        C("agent_replies", "int", "Number of agent replies.", min=0, example="2"),
        C("reopened", "bool", "Reopened after being marked solved.", example="false"),
        C("handle_time_min", "float", "Handle time: talk + hold + after-contact work.",
          unit="minutes", min=0, example="18.5"),
        C("quality_score", "float", "QA review score; QA-reviewed tickets only.", unit="0-100",
          min=0, max=100, required=False, nullable=True, example="86"),
        C("is_complaint", "bool", "The inquiry is a complaint.", example="false"),
    ),
)

SURVEYS = Table(
    "surveys", "response_id", "One row per survey response (NPS, CSAT or CES).",
    columns=(
        C("response_id", "id", "Response identifier, unique.", example="R0000001"),
        C("customer_id", "id", "Responding customer.", example="C00001"),
        C("survey", "category", "Survey type; sets the score scale.",
          allowed=("nps", "csat", "ces"), example="nps"),
        C("touchpoint", "category", "Where the survey was sent.",
          allowed=("post_purchase", "web_visit", "support_contact", "sales_call",
                   "relationship"), example="support_contact"),
        C("ticket_id", "id", "Ticket the survey followed, if any.", required=False,
          nullable=True, example="T0000001"),
        C("responded_at", "datetime", "When the customer answered.",
          example="2026-10-02T12:00:00+09:00"),
        C("score", "int", "Score: NPS 0-10, CSAT 1-5, CES 1-7 (lower effort is better).",
          example="9"),
        C("comment", "text", "Free-text comment.", required=False, nullable=True,
          example="対応が早くて助かりました。"),
    ),
)

GOALS = Table(
    "goals", "attempt_id", "One row per attempt of a customer to complete a goal (GCR).",
    columns=(
        C("attempt_id", "id", "Attempt identifier, unique.", example="G0000001"),
        C("customer_id", "id", "Customer who attempted it.", example="C00001"),
        C("goal", "text", "Goal attempted (e.g. setup, invoice_download).", example="setup"),
        C("channel", "category", "Where it was attempted.", allowed=("web", "app"),
          example="web"),
        C("started_at", "datetime", "When the attempt started.",
          example="2026-10-03T14:00:00+09:00"),
        C("completed", "bool", "The goal was completed.", example="true"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (CUSTOMERS, SUBSCRIPTIONS, ORDERS, TICKETS, SURVEYS, GOALS)
}
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)


def table(name: str) -> Table:
    """The :class:`Table` called ``name``; a clear error for an unknown name."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; the tables are: {', '.join(TABLES)}") from None


_KIND_DOC = {"id": "text (id)", "text": "text", "category": "text (allowed values)", "int": "integer",
             "float": "number", "bool": "true/false", "datetime": "timestamp with offset",
             "date": "date YYYY-MM-DD", "month": "month YYYY-MM"}


def markdown() -> str:
    """The data model as Markdown tables (the generated part of ``data/README.md``)."""
    out = []
    for t in TABLES.values():
        out.append(f"### `{t.name}` {'(required)' if t.required else '(optional)'}\n")
        out.append(f"{t.meaning}" + (f" Key: `{t.key}` (unique)." if t.key else "") + "\n")
        out.append("| column | type | required | unit | meaning | allowed values | example |")
        out.append("|---|---|---|---|---|---|---|")
        for c in t.columns:
            req = "yes" if c.required and not c.nullable else ("column yes, may be empty" if c.required else "no")
            rng = ""
            if c.allowed:
                rng = ", ".join(f"`{a}`" for a in c.allowed)
            elif c.min is not None or c.max is not None:
                lo = "" if c.min is None else (f"> {c.min:g}" if c.min_exclusive else f"≥ {c.min:g}")
                hi = "" if c.max is None else f"≤ {c.max:g}"
                rng = " and ".join(x for x in (lo, hi) if x)
            out.append(f"| `{c.name}` | {_KIND_DOC[c.kind]} | {req} | {c.unit} | {c.meaning} | {rng} | `{c.example}` |")
        out.append("")
        out.append("Example row:\n")
        out.append("```csv\n" + ",".join(t.names) + "\n" + ",".join(
            (f'"{c.example}"' if "," in c.example else c.example) for c in t.columns) + "\n```\n")
    return "\n".join(out)
