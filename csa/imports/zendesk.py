"""Zendesk Support ticket export (CSV, English or Japanese headers) → tickets, and its satisfaction
ratings → CSAT answers.

What each ticket column becomes:

=================================  ============================================================
``Id``                             ``ticket_id``
``Created at``                     ``created_at`` (an offset as written; none: business time zone)
``First reply time in minutes``    ``first_response_at`` = created + those calendar minutes
``Solved at``                      ``resolved_at`` (solved and closed tickets)
``Status``                         ``status``: Solved, Closed → solved; New, Open, Pending, On-hold → open
``Replies``                        ``agent_replies`` (Zendesk counts public agent replies)
``Reopens``                        ``reopened`` (reopened at least once)
``Priority``, ``Via``, ``Group``   ``priority``, ``channel`` (Mail → email, Web form → web_form, Chat,
``Assignee``, ``Ticket type``      Voice → phone …), ``team``, ``agent``, ``category``
``Organization``, requester        link keys (organisation name, e-mail and its domain)
=================================  ============================================================

Zendesk has no handle time and no complaint flag: those columns are not written.

``Satisfaction Score`` Good / Bad becomes a CSAT answer on a 2-point scale (2 = good, 1 = bad,
``scale`` 2), dated at the ticket's solve time, touchpoint ``support_contact``, with the ticket's id;
Offered / Unoffered (not answered) are counted, not written.

>>> status("Closed"), status("保留中"), channel("Web Widget"), channel("LINE")
('solved', 'open', 'web_form', 'LINE')
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .errors import ImportRefused
from .text import RawTable, numbers, parse_times

__all__ = ["ZendeskTickets", "channel", "read_zendesk", "status"]

_SOLVED = {"solved", "closed", "解決済み", "終了", "完了"}
_ABANDONED = {"abandoned", "放棄", "中断"}
_OPEN = {"new", "open", "pending", "hold", "on-hold", "on hold", "新規", "オープン", "保留中", "待機中"}
_CHANNEL = {"mail": "email", "email": "email", "e-mail": "email", "メール": "email",
            "web form": "web_form", "web widget": "web_form", "web": "web_form", "webフォーム": "web_form",
            "ウェブフォーム": "web_form", "help center": "web_form", "ヘルプセンター": "web_form",
            "chat": "chat", "チャット": "chat", "messaging": "chat", "native messaging": "chat",
            "メッセージング": "chat",
            "voice": "phone", "phone": "phone", "phone call (inbound)": "phone", "電話": "phone", "音声": "phone"}
_PRIORITY = {"low": "low", "normal": "normal", "high": "high", "urgent": "urgent",
             "低": "low", "普通": "normal", "通常": "normal", "標準": "normal", "高": "high", "緊急": "urgent"}
_GOOD = {"good", "good, i'm satisfied", "良い", "満足", "高評価"}
_BAD = {"bad", "bad, i'm unsatisfied", "悪い", "不満", "低評価"}
_NOT_ANSWERED = {"offered", "unoffered", "not offered", "提供済み", "未提供", "未回答", "-", ""}


_YES = {"true", "yes", "y", "はい", "有", "あり", "1"}
_NO = {"false", "no", "n", "いいえ", "無", "なし", "0"}


def _reopened(v: str, row: int, file: str, column: str) -> bool | None:
    k = _key(v)
    if k in ("", "-"):
        return None
    if k in _YES or k in _NO:
        return k in _YES
    try:
        return float(k) > 0
    except ValueError:
        raise ImportRefused(f"{file}, column '{column}', row {row}: {v!r} is neither a count of reopens nor "
                            "yes/no. Fix: export Zendesk's Reopens column") from None


def _key(v: str) -> str:
    return unicodedata.normalize("NFKC", str(v)).strip().casefold()


def status(value: str) -> str | None:
    """A Zendesk status as csa's ``status`` (``None`` if unknown)."""
    k = _key(value)
    return "solved" if k in _SOLVED else "open" if k in _OPEN else "abandoned" if k in _ABANDONED else None


def channel(value: str) -> str | None:
    """A Zendesk ``Via`` as csa's ``channel``: the channels csa knows by their name, others as written."""
    v = str(value).strip()
    return _CHANNEL.get(_key(v), v) if v and v != "-" else None


@dataclass
class ZendeskTickets:
    """``tickets``: csa's ticket columns the export has, plus link keys (``_org``, ``_email``, ``_domain``,
    ``_external``) and ``_row``; ``csat``: the answered ratings (``ticket_id``, ``responded_at``, ``score``,
    ``_row``); ``counts``: what was not written and why."""

    file: str
    tickets: pd.DataFrame
    csat: pd.DataFrame
    counts: Counter = field(default_factory=Counter)
    latest: pd.Timestamp | None = None


def read_zendesk(raw: RawTable, where: dict[str, str], tz: str) -> ZendeskTickets:
    df = raw.frame()
    file = raw.name
    blank = pd.Series("", index=df.index, dtype=object)
    get = lambda f: df[where[f]].astype(str).str.strip() if f in where else blank
    times = lambda f: pd.Series(parse_times(get(f).tolist(), tz, assume=tz, file=file, column=where[f])
                                if f in where else [None] * len(df), index=df.index, dtype=object)
    ids = get("id")
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        raise ImportRefused(f"{file}, column '{where['id']}': ticket ids repeat (e.g. {dup.iloc[0]!r} on rows "
                            f"{list(dup.index[:3])}). Fix: export each ticket once (two exports pasted together?)")
    st = get("status").map(status)
    if st.isna().any():
        bad = get("status")[st.isna()]
        raise ImportRefused(f"{file}, column '{where['status']}': status {bad.iloc[0]!r} (row {bad.index[0]}) is not "
                            "a Zendesk status. Fix: export the standard Status column (New, Open, Pending, On-hold, "
                            "Solved, Closed)")
    created = times("created")
    if created.isna().any():
        n = created.index[created.isna()][0]
        raise ImportRefused(f"{file}, column '{where['created']}', row {n}: the creation time is empty. Fix: "
                            "download the export again")
    solved = times("solved")
    counts: Counter = Counter()
    reopened_open = (st == "open") & solved.notna()
    counts["solve time left out: ticket reopened and not solved again"] = int(reopened_open.sum())
    solved = solved.where(st == "solved", None)
    first_min = (pd.Series(numbers(get("first_reply_min").tolist(), file=file, column=where["first_reply_min"],
                                   rows=list(df.index)), index=df.index)
                 if "first_reply_min" in where else pd.Series([None] * len(df), index=df.index))
    first = pd.Series([c + pd.Timedelta(minutes=m) if m is not None and not pd.isna(m) else None
                       for c, m in zip(created, first_min)], index=df.index, dtype=object)
    if "first_reply_min" not in where and "first_reply_at" in where:  # a first-reply time instead of minutes
        first = times("first_reply_at")
    replies = pd.Series(numbers(get("replies").tolist(), file=file, column=where["replies"], rows=list(df.index)),
                        index=df.index)
    out = {"ticket_id": ids, "created_at": created, "first_response_at": first, "resolved_at": solved,
           "status": st, "agent_replies": replies.map(lambda v: None if v is None or pd.isna(v) else int(v))}
    if "reopens" in where:  # a count (Zendesk's Reopens) or a yes/no
        out["reopened"] = pd.Series([_reopened(v, n, file, where["reopens"]) for n, v in get("reopens").items()],
                                    index=df.index, dtype=object)
    if "via" in where:
        out["channel"] = get("via").map(channel)
    for f, col in (("handle_time", "handle_time_min"), ("quality", "quality_score")):  # when the export has them
        if f in where:
            out[col] = numbers(get(f).tolist(), file=file, column=where[f], rows=list(df.index))
    if "complaint" in where:
        out["is_complaint"] = [_reopened(v, n, file, where["complaint"]) if _key(v) not in ("",) else None
                               for n, v in get("complaint").items()]
    if "ticket_type" in where:
        out["category"] = get("ticket_type").map(lambda v: _key(v) if v and v != "-" else None)
    if "priority" in where:
        pr = get("priority").map(lambda v: _PRIORITY.get(_key(v)) if v and v != "-" else None)
        unknown = get("priority")[pr.isna() & ~get("priority").isin(["", "-"])]
        if len(unknown):
            raise ImportRefused(f"{file}, column '{where['priority']}': priority {unknown.iloc[0]!r} (row "
                                f"{unknown.index[0]}) is not Low, Normal, High or Urgent. Fix: export Zendesk's "
                                "standard Priority column")
        out["priority"] = pr
    if "group" in where:
        out["team"] = get("group").map(lambda v: v if v and v != "-" else None)
    if "assignee" in where:
        out["agent"] = get("assignee").map(lambda v: v if v and v != "-" else None)
    tickets = pd.DataFrame(out)
    tickets["_org"] = get("organization").map(lambda v: v if v and v != "-" else None)
    tickets["_email"] = get("requester_email").map(lambda v: v or None)
    tickets["_domain"] = get("requester_domain").map(lambda v: v or None)
    tickets["_external"] = get("requester_external_id").map(lambda v: v or None)
    tickets["_row"] = df.index
    latest = max(x for x in [created.max(), times("updated").dropna().max() if "updated" in where else None,
                             solved.dropna().max()] if x is not None and not pd.isna(x))
    csat = pd.DataFrame(columns=["ticket_id", "responded_at", "score", "_row"])
    if "satisfaction" in where:
        sat = get("satisfaction").map(_key)
        good, bad = sat.isin(_GOOD), sat.isin(_BAD)
        unknown = get("satisfaction")[~good & ~bad & ~sat.isin(_NOT_ANSWERED)]
        if len(unknown):
            raise ImportRefused(f"{file}, column '{where['satisfaction']}': {unknown.iloc[0]!r} (row "
                                f"{unknown.index[0]}) is not Good, Bad, Offered or Unoffered. Fix: export Zendesk's "
                                "standard Satisfaction Score column")
        rated = good | bad
        no_date = rated & solved.isna()
        counts["satisfaction offered, not answered"] = int((~rated & sat.isin({"offered", "提供済み"})).sum())
        counts["rating of a ticket not solved (no solve time to date it)"] = int(no_date.sum())
        keep = rated & ~no_date
        csat = pd.DataFrame({"ticket_id": ids[keep], "responded_at": solved[keep],
                             "score": good[keep].map({True: 2, False: 1}), "_row": df.index[keep]})
    counts = Counter({k: v for k, v in counts.items() if v})
    return ZendeskTickets(file, tickets, csat.reset_index(drop=True), counts, latest)
