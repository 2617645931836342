"""The import config (``import.yaml``): only what cannot be seen in the files.

Required: ``timezone`` and one ``surveys`` entry per survey export. Everything else is optional::

    timezone: Asia/Tokyo
    surveys:                       # one entry per survey export
      - file: "NPS調査（回答）.csv"
        survey: nps                # or csat / ces
        question: "おすすめ"        # header text, or a unique part of it
        touchpoint: relationship   # or the header of a column holding it
        # scale: 5                 # csat / ces: the top of the scale (default 5 for csat, 7 for ces)
        # company: "会社名"         # a column naming the respondent's company (found by its header if not given)
        # comment: "理由"           # a column of free-text comments
    # month_rule: end_of_month     # which state of a month makes a customer-month (see below)
    # as_of: 2026-11-02            # the files' export date (default: their latest timestamp)
    # business_hours: {hours: "09:00-18:00", holidays: JP, closed: "12-29..01-03"}
    # customers:
    #   is_customer: {column: "Lifecycle Stage", values: [customer]}   # which CRM rows are customers
    #   segment: {column: "Number of Employees", bands: {smb: 0, mid_market: 100, enterprise: 1000}}
    #   region: "都道府県(請求先)"
    # plans: {"Standard": standard}  # billing plan or product → the plan written in customers
    # links:
    #   billing_id: "Stripe顧客ID"   # the CRM column holding the billing customer id (found by value overlap)
    #   free_mail: [example.net]     # more free-mail domains never used to link

>>> c = read_config({"timezone": "Asia/Tokyo", "surveys": [{"file": "a.csv", "survey": "nps",
...                  "question": "おすすめ", "touchpoint": "relationship"}]})
>>> c.timezone, c.surveys[0].survey, c.month_rule
('Asia/Tokyo', 'nps', 'end_of_month')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import ImportRefused, MissingConfig

__all__ = ["MONTH_RULES", "ImportConfig", "SurveySpec", "read_config"]

#: the month rules: which state of a month makes a customer-month
MONTH_RULES = {
    "end_of_month": "a customer's MRR for month M is what is paid-active at the last instant of M in the business "
                    "time zone (trial time and never-paid subscriptions are not active; past-due subscriptions are "
                    "active until they end; yearly plans count 1/12 a month); customers who join and leave inside a "
                    "month appear in no month",
    "any_day": "a customer's MRR for month M is what is paid-active at any instant of M (a subscription that ended "
               "on the 3rd still counts for that month); customers who join and leave inside a month appear in it",
}

_TOP = {"nps": 10, "csat": 5, "ces": 7}
_KEYS = {"timezone", "surveys", "month_rule", "as_of", "business_hours", "customers", "plans", "links", "tickets"}
_SURVEY_KEYS = {"file", "survey", "question", "touchpoint", "scale", "company", "comment", "email"}


@dataclass(frozen=True)
class SurveySpec:
    """One survey export: its ``file``, ``survey`` (nps, csat, ces), the ``question`` scored, the
    ``touchpoint`` (a value, or a column holding it), the top of the scale and optional columns."""

    file: str
    survey: str
    question: str
    touchpoint: str
    scale: int
    company: str | None = None
    comment: str | None = None
    email: str | None = None


@dataclass
class ImportConfig:
    timezone: str
    surveys: list[SurveySpec] = field(default_factory=list)
    month_rule: str = "end_of_month"
    as_of: pd.Timestamp | None = None
    business_hours: dict | None = None
    customers: dict = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    tickets: dict = field(default_factory=dict)
    source: str = "import.yaml"

    def survey_for(self, file: str) -> SurveySpec | None:
        import unicodedata

        key = unicodedata.normalize("NFC", file)
        for s in self.surveys:
            if unicodedata.normalize("NFC", s.file) == key:
                return s
        return None

    @property
    def business_clock(self) -> str | None:
        """The business hours as ``csa report``'s ``business_clock`` parameter, when given."""
        b = self.business_hours
        if not b:
            return None
        parts = [str(b.get("hours", "09:00-18:00")), str(b.get("holidays") or "none")]
        if b.get("closed"):
            parts.append(str(b["closed"]))
        return ", ".join(parts)


def _refuse(source: str, what: str, fix: str) -> ImportRefused:
    return ImportRefused(f"{source}: {what}. Fix: {fix}")


def _survey(i: int, entry, source: str) -> SurveySpec:
    if not isinstance(entry, dict):
        raise _refuse(source, f"surveys entry {i + 1} is not a mapping ({entry!r})",
                      "write each entry as '- file: …' followed by survey:, question:, touchpoint: lines")
    unknown = sorted(set(entry) - _SURVEY_KEYS)
    if unknown:
        raise _refuse(source, f"surveys entry {i + 1} has unknown key(s) {unknown}",
                      f"use only {', '.join(sorted(_SURVEY_KEYS))}")
    missing = [k for k in ("file", "survey", "question", "touchpoint") if not entry.get(k)]
    if missing:
        raise _refuse(source, f"surveys entry {i + 1} ({entry.get('file', '?')}) lacks {', '.join(missing)}",
                      "give file, survey (nps, csat or ces), question and touchpoint")
    survey = str(entry["survey"]).strip().lower()
    if survey not in _TOP:
        raise _refuse(source, f"surveys entry {i + 1}: survey {entry['survey']!r} is not nps, csat or ces",
                      "write survey: nps, survey: csat or survey: ces")
    scale = entry.get("scale", _TOP[survey])
    if survey == "nps" and int(scale) != 10:
        raise _refuse(source, f"surveys entry {i + 1}: an NPS question is scored 0-10, not 0-{scale}",
                      "remove scale: from this entry")
    if not isinstance(scale, int) or not 2 <= scale <= 10:
        raise _refuse(source, f"surveys entry {i + 1}: scale {scale!r} is not a whole number from 2 to 10",
                      "give the top score of the question's scale, e.g. scale: 5")
    return SurveySpec(str(entry["file"]), survey, str(entry["question"]), str(entry["touchpoint"]), scale,
                      entry.get("company"), entry.get("comment"), entry.get("email"))


def read_config(config: str | os.PathLike | dict | None, *, default_source: str = "import.yaml") -> ImportConfig:
    """The import config from a YAML file or a dict; :class:`MissingConfig` when ``timezone`` is missing,
    :class:`ImportRefused` for a value that cannot be used (naming the key and how to fix it)."""
    import yaml

    source = default_source
    if config is None:
        data = {}
    elif isinstance(config, dict):
        data, source = dict(config), "the import config"
    else:
        path = Path(config)
        source = path.name
        try:  # read within a budget: a file of nested aliases (a "billion laughs") or a device is refused
            from ..yamlbudget import YAMLBudgetError, compose, read_text

            loader, node = compose(read_text(path, "import config").decode("utf-8-sig"), yaml.SafeLoader)
            try:
                data = (loader.construct_document(node) if node is not None else None) or {}
            finally:
                loader.dispose()
        except YAMLBudgetError as exc:
            raise ImportRefused(f"{source}: {exc}") from None
        except FileNotFoundError:
            raise ImportRefused(f"import config not found: {path}. Fix: give the path of your import.yaml "
                                "(or leave --config out to use import.yaml in the raw folder)") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ImportRefused(f"{source}: not valid YAML in UTF-8 ({str(exc).splitlines()[0]}). Fix: check the "
                                "indentation and quote text holding ':' or '#'") from None
    if not isinstance(data, dict):
        raise _refuse(source, "the config is not a mapping of keys to values", "start from data/examples/…/import.yaml")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise _refuse(source, f"unknown key(s) {unknown}", f"the keys are: {', '.join(sorted(_KEYS))}")
    tz = data.get("timezone")
    missing_tz = not tz
    tz = tz or "UTC"  # to read the rest; refused at the end
    try:
        pd.Timestamp(0).tz_localize(str(tz))
    except Exception:
        raise _refuse(source, f"timezone {tz!r} is not a time zone", "use an IANA name such as Asia/Tokyo") from None
    surveys = data.get("surveys") or []
    if not isinstance(surveys, list):
        raise _refuse(source, "surveys is not a list", "write each survey export as an entry starting with '- file:'")
    rule = str(data.get("month_rule", "end_of_month"))
    if rule not in MONTH_RULES:
        raise _refuse(source, f"month_rule {rule!r} is unknown", f"use one of {', '.join(MONTH_RULES)}")
    as_of = data.get("as_of")
    if as_of is not None:
        try:
            as_of = pd.Timestamp(str(as_of))
            as_of = as_of.tz_localize(str(tz)) if as_of.tzinfo is None else as_of.tz_convert(str(tz))
        except (ValueError, TypeError):
            raise _refuse(source, f"as_of {data['as_of']!r} is not a date", "write it as 2026-11-02") from None
    hours = data.get("business_hours")
    if hours is not None:
        if not isinstance(hours, dict) or set(hours) - {"hours", "holidays", "closed"}:
            raise _refuse(source, f"business_hours {hours!r} is not understood",
                          'write business_hours: {hours: "09:00-18:00", holidays: JP, closed: "12-29..01-03"}')
        import re

        from ..businesstime import parse_closed

        ok = re.fullmatch(r"\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}", str(hours.get("hours", "09:00-18:00")).strip())
        country = str(hours.get("holidays") or "none")
        try:
            parse_closed(str(hours.get("closed") or ""))
        except ValueError as exc:
            raise _refuse(source, f"business_hours: closed: {exc}", 'e.g. closed: "12-29..01-03"') from None
        if not ok or not re.fullmatch(r"[A-Za-z]{2,3}|none", country):
            raise _refuse(source, f"business_hours {hours!r}: hours are 'HH:MM-HH:MM' and holidays a country code",
                          'e.g. {hours: "09:00-18:00", holidays: JP}')
    for key in ("customers", "plans", "links", "tickets"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise _refuse(source, f"{key} is not a mapping", f"see the commented example in import.yaml for {key}:")
    cust = dict(data.get("customers") or {})
    unknown = sorted(set(cust) - {"is_customer", "segment", "region"})
    if unknown:
        raise _refuse(source, f"customers: unknown key(s) {unknown}", "use is_customer, segment and region")
    seg = cust.get("segment")
    if seg is not None and not (isinstance(seg, dict) and seg.get("column") and isinstance(seg.get("bands"), dict)):
        raise _refuse(source, "customers: segment needs a column and bands",
                      'e.g. segment: {column: "従業員数", bands: {smb: 0, mid_market: 100, enterprise: 1000}}')
    isc = cust.get("is_customer")
    if isc is not None and not (isinstance(isc, dict) and isc.get("column") and isinstance(isc.get("values"), list)):
        raise _refuse(source, "customers: is_customer needs a column and a list of values",
                      'e.g. is_customer: {column: "取引先 種別", values: ["顧客 - 直販"]}')
    cfg = ImportConfig(
        timezone=str(tz), surveys=[_survey(i, e, source) for i, e in enumerate(surveys)], month_rule=rule,
        as_of=as_of, business_hours=hours, customers=cust,
        plans={str(k): str(v) for k, v in (data.get("plans") or {}).items()},
        links=dict(data.get("links") or {}), tickets=dict(data.get("tickets") or {}), source=source)
    if missing_tz:
        exc = MissingConfig("The business time zone is not given: months, business hours and times without an "
                            "offset are read in it.", "timezone: Asia/Tokyo   # your business time zone (IANA name)",
                            source)
        exc.partial = cfg
        raise exc
    return cfg
