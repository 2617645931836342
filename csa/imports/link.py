"""Linking records to customers: by id where an export carries one, else by organisation name and
e-mail, never by a free-mail domain.

Rules, tried in this order for each record (the first that finds exactly one customer wins):

1. **id**: a billing customer id, or a CRM field holding it (found by value overlap, :func:`id_column`);
2. **name**: the organisation name, normalised by :func:`company_key` (株式会社/(株)/㈱ and other legal
   forms, spaces, full-width forms, case);
3. **email**: an e-mail address a billing customer was registered with (even at a free-mail domain:
   the address itself is the person's);
4. **domain**: the e-mail domain, when it is a company's own domain (from the CRM's website or the
   billing e-mails), never a free-mail domain such as gmail.com or yahoo.co.jp.

A name or domain that fits two customers links to neither (counted as *ambiguous*). Whatever does
not link is kept with an empty ``customer_id`` (an unknown customer) and counted.

>>> company_key("㈱ＡＢＣ商事"), company_key("ABC商事 株式会社"), company_key("(株)ａｂｃ 商事")
('abc商事', 'abc商事', 'abc商事')
>>> email_domain("Tanaka@Mail.Alpha.co.jp"), is_free_mail("taro@yahoo.co.jp")
('mail.alpha.co.jp', True)
>>> d = Directory()
>>> d.add("C1", "株式会社アルファ", domains=["alpha.co.jp"])
>>> d.find(name="ｱﾙﾌｧ", domain="gmail.com"), d.find(domain="mail.alpha.co.jp"), d.find(domain="gmail.com")
(('C1', 'name'), ('C1', 'domain'), (None, None))
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["FREE_MAIL", "RULES", "Directory", "LinkStats", "company_key", "email_domain", "id_column",
           "is_free_mail", "website_domain"]

#: personal mail services: a domain here never links a record to a company
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.co.jp", "ymail.ne.jp", "yahoo.com", "yahoo.co.uk", "outlook.com",
    "outlook.jp", "hotmail.com", "hotmail.co.jp", "live.com", "live.jp", "msn.com", "icloud.com", "me.com",
    "mac.com", "aol.com", "protonmail.com", "proton.me", "gmx.com", "mail.com", "zoho.com", "docomo.ne.jp",
    "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp", "ymobile.ne.jp", "nifty.com", "biglobe.ne.jp",
    "ocn.ne.jp", "so-net.ne.jp", "excite.co.jp", "goo.jp", "infoseek.jp", "rakuten.jp", "qq.com", "163.com",
    "naver.com",
})

#: the link rules, in the order they are tried
RULES = ("id", "name", "email", "domain")

_LEGAL = re.compile(
    r"\(株\)|\(有\)|\(合\)|\(同\)|株式会社|有限会社|合同会社|合名会社|合資会社|一般社団法人|一般財団法人|"
    r"公益社団法人|公益財団法人|特定非営利活動法人|npo法人|"
    r"\b(?:co\.?,?\s*ltd|inc|corp|corporation|ltd|llc|k\.?k|gmbh|limited|company)\b\.?")
_PUNCT = re.compile(r"[\s\-‐―・･.,，、。'\"’&＆()（）\[\]【】「」/／]+")


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def company_key(name: object) -> str | None:
    """An organisation name as compared: NFKC (㈱ → (株), full-width → half-width, half-width kana →
    full-width), case folded, legal forms and spaces and punctuation removed; ``None`` if nothing is left."""
    if _blank(name):
        return None
    s = unicodedata.normalize("NFKC", str(name)).casefold().strip()
    if not s:
        return None
    s = _LEGAL.sub(" ", s)
    s = _PUNCT.sub("", s)
    return s or None


def email_domain(email: object) -> str | None:
    """The domain of an e-mail address, lower case; ``None`` if it is not an address."""
    if _blank(email):
        return None
    s = unicodedata.normalize("NFKC", str(email)).strip().casefold()
    if "@" not in s:
        return None
    d = s.rsplit("@", 1)[1].strip(" .>")
    return d if "." in d else None


def website_domain(url: object) -> str | None:
    """The domain of a website (``https://www.alpha.co.jp/about`` → ``alpha.co.jp``) or of a bare domain."""
    if _blank(url):
        return None
    s = unicodedata.normalize("NFKC", str(url)).strip().casefold()
    if not s:
        return None
    s = re.sub(r"^[a-z]+://", "", s).split("/")[0].split("?")[0].split(":")[0]
    s = s[4:] if s.startswith("www.") else s
    return s if "." in s else None


def is_free_mail(value: str | None, extra: Iterable[str] = ()) -> bool:
    """A free-mail domain (or an address at one)."""
    if _blank(value):
        return False
    d = email_domain(value) if "@" in value else value.strip().casefold()
    return d in FREE_MAIL or d in set(extra)


def id_column(columns: dict[str, list[str]], ids: set[str], *, min_share: float = 0.5) -> tuple[str | None, int]:
    """The column whose values are ids from ``ids``: the one with the most values in ``ids`` (at least two,
    and at least ``min_share`` of its non-empty values). ``(None, 0)`` if no column qualifies.

    >>> id_column({"name": ["A", "B"], "ext": ["cus_1", "cus_2", "", "x"]}, {"cus_1", "cus_2", "cus_3"})
    ('ext', 2)
    """
    best, hits = None, 0
    for name, values in columns.items():
        vals = [v.strip() for v in values if v and v.strip()]
        n = sum(1 for v in vals if v in ids)
        if n >= 2 and n >= min_share * len(vals) and n > hits:
            best, hits = name, n
    return best, hits


@dataclass
class Directory:
    """The customers records are linked to: each with its id, and the ids, names, e-mails and domains
    that point to it."""

    ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    emails: dict[str, set[str]] = field(default_factory=dict)
    domains: dict[str, set[str]] = field(default_factory=dict)
    free_mail: frozenset[str] = FREE_MAIL

    def add(self, customer_id: str, name: str | None = None, *, ids: Iterable[str] = (),
            emails: Iterable[str] = (), domains: Iterable[str] = ()) -> None:
        self.ids[customer_id] = customer_id
        for i in ids:
            if i:
                self.ids[i] = customer_id
        key = company_key(name)
        if key:
            self.names.setdefault(key, set()).add(customer_id)
        for e in emails:
            if e and "@" in e:
                self.emails.setdefault(e.strip().casefold(), set()).add(customer_id)
                d = email_domain(e)
                if d and d not in self.free_mail:
                    self.domains.setdefault(d, set()).add(customer_id)
        for d in domains:
            if d and d not in self.free_mail:
                self.domains.setdefault(d, set()).add(customer_id)

    def _domain(self, d: str) -> set[str] | None:
        labels = d.split(".")
        for i in range(len(labels) - 1):  # mail.alpha.co.jp → alpha.co.jp → co.jp
            hit = self.domains.get(".".join(labels[i:]))
            if hit:
                return hit
        return None

    def find(self, *, id: str | None = None, name: str | None = None, email: str | None = None,
             domain: str | None = None) -> tuple[str | None, str | None]:
        """``(customer_id, rule)`` of the first rule that finds one customer; ``(None, None)`` if none does,
        ``(None, "ambiguous")`` if a rule finds several and no later rule finds one."""
        id, name, email, domain = (None if _blank(v) else v for v in (id, name, email, domain))
        ambiguous = False
        if id and id.strip() in self.ids:
            return self.ids[id.strip()], "id"
        key = company_key(name)
        if key and key in self.names:
            hit = self.names[key]
            if len(hit) == 1:
                return next(iter(hit)), "name"
            ambiguous = True
        if email and email.strip().casefold() in self.emails:
            hit = self.emails[email.strip().casefold()]
            if len(hit) == 1:
                return next(iter(hit)), "email"
            ambiguous = True
        d = (domain or email_domain(email) or "").strip().casefold()
        if d and d not in self.free_mail:
            hit = self._domain(d)
            if hit and len(hit) == 1:
                return next(iter(hit)), "domain"
            ambiguous = ambiguous or bool(hit)
        return None, ("ambiguous" if ambiguous else None)


@dataclass
class LinkStats:
    """How the records of one file were linked: counts per rule, and why the others were not."""

    records: int = 0
    by_rule: Counter = field(default_factory=Counter)
    unlinked: Counter = field(default_factory=Counter)

    def add(self, rule: str | None, *, free_mail: bool = False, had_key: bool = True) -> None:
        self.records += 1
        if rule in RULES:
            self.by_rule[rule] += 1
        elif rule == "ambiguous":
            self.unlinked["ambiguous (fits several customers)"] += 1
        elif free_mail:
            self.unlinked["free-mail address only"] += 1
        elif not had_key:
            self.unlinked["no organisation, e-mail or id"] += 1
        else:
            self.unlinked["no customer matches"] += 1

    @property
    def linked(self) -> int:
        return sum(self.by_rule.values())

    def as_dict(self) -> dict:
        return {"records": self.records, "linked": self.linked,
                "by_rule": {r: self.by_rule[r] for r in RULES if self.by_rule[r]},
                "unlinked": dict(sorted(self.unlinked.items()))}

    def lines(self) -> list[str]:
        if not self.records:
            return []
        pct = lambda n: f"{100 * n / self.records:.1f} %"
        out = [f"linked {self.linked:,} of {self.records:,} ({pct(self.linked)})"]
        out += [f"  by {r}: {self.by_rule[r]:,} ({pct(self.by_rule[r])})" for r in RULES if self.by_rule[r]]
        out += [f"  not linked, {why}: {n:,}" for why, n in sorted(self.unlinked.items())]
        return out
