"""Recognise an export by its header: which tool wrote it, and where each field the importer reads is.

Each :class:`Layout` lists, for every field it reads, the header names the tool writes (English and
Japanese user interfaces); headers are compared after :func:`~csa.imports.text.header_key` (full-width
folded, case and spaces ignored). A file is the layout all of whose *required* fields are present;
when several fit, the one that recognises the most of its fields wins.

>>> layout, where = recognise(["Id", "Requester", "Status", "Created at", "Solved at", "Replies",
...                            "Satisfaction Score", "First reply time in minutes"])
>>> layout.key, where["solved"], where["first_reply_min"]
('zendesk_tickets', 'Solved at', 'First reply time in minutes')
>>> recognise(["タイムスタンプ", "メールアドレス", "おすすめ度"])[0].label
'Google Forms responses'
>>> recognise(["foo", "bar"])[0] is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import header_key

__all__ = ["LAYOUTS", "Layout", "recognise"]


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    #: what the file holds: tickets, survey, billing or crm
    kind: str
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]

    def where(self, header: list[str]) -> dict[str, str]:
        """Field → the header (as written) that holds it, for the fields present."""
        keys = {header_key(h): h for h in reversed(header)}  # the first of repeated names wins
        out = {}
        for f, names in self.fields.items():
            for n in names:
                if header_key(n) in keys:
                    out[f] = keys[header_key(n)]
                    break
        return out


ZENDESK = Layout(
    "zendesk_tickets", "Zendesk Support ticket export", "tickets",
    {
        "id": ("Id", "ID", "チケットID"),
        "requester": ("Requester", "リクエスタ", "リクエスター"),
        "requester_external_id": ("Requester external id", "リクエスタの外部ID", "リクエスターの外部ID"),
        "requester_email": ("Requester email", "リクエスタのメール", "リクエスタのメールアドレス",
                            "リクエスターのメールアドレス"),
        "requester_domain": ("Requester domain", "リクエスタのドメイン", "リクエスターのドメイン"),
        "assignee": ("Assignee", "担当者"),
        "group": ("Group", "グループ"),
        "status": ("Status", "ステータス"),
        "priority": ("Priority", "優先度"),
        "via": ("Via", "経路", "チャネル"),
        "ticket_type": ("Ticket type", "チケットタイプ", "カテゴリ", "カテゴリー"),
        "created": ("Created at", "作成日", "作成日時"),
        "updated": ("Updated at", "更新日", "更新日時"),
        "organization": ("Organization", "組織", "組織名"),
        "solved": ("Solved at", "解決日", "解決日時"),
        "satisfaction": ("Satisfaction Score", "満足度スコア", "満足度評価"),
        "reopens": ("Reopens", "再オープン", "再オープン数"),
        "replies": ("Replies", "返信", "返信数", "担当者返信数"),
        "first_reply_at": ("First reply at", "初回返信日時", "初回応答日時"),
        # not in Zendesk's own export; written when a help desk's export has them
        "handle_time": ("Handle time", "対応時間(分)", "対応時間（分）", "処理時間(分)"),
        "complaint": ("Complaint", "クレーム", "苦情"),
        "quality": ("QA score", "品質スコア", "QAスコア"),
        "first_reply_min": ("First reply time in minutes", "初回返信時間(分)", "初回返信時間（分）"),
        "first_reply_business_min": ("First reply time in minutes within business hours",
                                     "初回返信時間(分)(営業時間内)", "初回返信時間（分）（営業時間内）"),
    },
    ("id", "status", "created", "replies"),
)

GOOGLE_FORMS = Layout(
    "google_forms", "Google Forms responses", "survey",
    {"timestamp": ("タイムスタンプ", "Timestamp"),
     "email": ("メールアドレス", "Email Address", "Email address", "メール アドレス")},
    ("timestamp",),
)

MICROSOFT_FORMS = Layout(
    "microsoft_forms", "Microsoft Forms responses", "survey",
    {"id": ("ID", "Id"), "start": ("Start time", "開始時刻"), "completion": ("Completion time", "完了時刻"),
     "email": ("Email", "メール"), "name": ("Name", "名前"),
     "last_modified": ("Last modified time", "最終変更時刻")},
    ("id", "start", "completion"),
)

STRIPE = Layout(
    "stripe_subscriptions", "Stripe subscriptions export", "billing",
    {
        "id": ("id", "Subscription ID"),
        "customer": ("Customer ID",),
        "customer_email": ("Customer Email",),
        "customer_name": ("Customer Name", "Customer Description"),
        "plan": ("Plan", "Plan ID", "Price ID"),
        "product": ("Product", "Product Name", "Plan Name"),
        "quantity": ("Quantity",),
        "interval": ("Interval", "Plan Interval"),
        "interval_count": ("Interval Count", "Plan Interval Count"),
        "amount": ("Amount", "Plan Amount"),
        "currency": ("Currency", "Plan Currency"),
        "status": ("Status",),
        "created": ("Created (UTC)",),
        "start": ("Start (UTC)", "Start Date (UTC)"),
        "current_period_start": ("Current Period Start (UTC)",),
        "current_period_end": ("Current Period End (UTC)",),
        "trial_start": ("Trial Start (UTC)",),
        "trial_end": ("Trial End (UTC)",),
        "canceled_at": ("Canceled At (UTC)",),
        "ended_at": ("Ended At (UTC)",),
    },
    ("id", "customer", "status", "start", "amount"),
)

SUBSCRIPTION_LOG = Layout(
    "subscription_log", "subscription event log", "billing",
    {
        "customer": ("customer", "customer_id", "customer id", "顧客ID", "契約者ID"),
        "customer_name": ("customer_name", "customer name", "name", "顧客名", "会社名"),
        "email": ("email", "e-mail", "メールアドレス"),
        "plan": ("plan", "product", "プラン"),
        "start": ("start", "start_date", "start date", "開始日", "契約開始日"),
        "end": ("end", "end_date", "end date", "終了日", "契約終了日", "解約日"),
        "amount": ("amount", "price", "unit_price", "金額", "単価"),
        "quantity": ("quantity", "seats", "数量", "ライセンス数"),
        "interval": ("interval", "billing_interval", "請求間隔", "請求周期"),
        "status": ("status", "ステータス"),
    },
    ("customer", "start", "end", "amount"),
)

SALESFORCE = Layout(
    "salesforce_accounts", "Salesforce account report", "crm",
    {
        "id": ("取引先 ID", "Account ID", "アカウント ID"),
        "name": ("取引先名", "Account Name", "アカウント名"),
        "type": ("取引先 種別", "種別", "Type", "Account Type", "取引先種別"),
        "employees": ("従業員数", "Employees"),
        "website": ("Web サイト", "Website"),
        "created": ("作成日", "Created Date"),
        "signup": ("取引開始日", "契約開始日", "Customer Since", "顧客になった日"),
        "owner": ("取引先 所有者", "Account Owner"),
        "state": ("都道府県(請求先)", "Billing State/Province"),
        "industry": ("業種", "Industry"),
    },
    ("id", "name"),
)

HUBSPOT = Layout(
    "hubspot_companies", "HubSpot companies export", "crm",
    {
        "id": ("Record ID", "Company ID", "レコードID"),
        "name": ("Company name", "Name", "会社名"),
        "website": ("Company Domain Name", "Website URL", "会社のドメイン名", "ウェブサイトURL"),
        "employees": ("Number of Employees", "従業員数"),
        "type": ("Lifecycle Stage", "ライフサイクルステージ", "Type", "タイプ"),
        "created": ("Create Date", "作成日"),
        "signup": ("Became a Customer Date", "顧客になった日", "契約開始日"),
        "owner": ("Company owner", "会社の所有者"),
        "state": ("State/Region", "都道府県/地域"),
        "industry": ("Industry", "業種"),
    },
    ("id", "name"),
)

LAYOUTS: tuple[Layout, ...] = (ZENDESK, STRIPE, SUBSCRIPTION_LOG, SALESFORCE, HUBSPOT, MICROSOFT_FORMS,
                               GOOGLE_FORMS)


def recognise(header: list[str]) -> tuple[Layout | None, dict[str, str]]:
    """The layout of a file with this header and where its fields are; ``(None, {})`` if none fits."""
    best: tuple[float, int, Layout, dict[str, str]] | None = None
    for i, layout in enumerate(LAYOUTS):
        where = layout.where(header)
        if not all(f in where for f in layout.required):
            continue
        score = len(where) / len(layout.fields)
        if best is None or score > best[0]:
            best = (score, i, layout, where)
    if best is None:
        return None, {}
    return best[2], best[3]
