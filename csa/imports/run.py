"""``import_folder``: a folder of raw exports → a csa data folder and its import report."""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from pathlib import Path

import pandas as pd

from ..schema import TABLES
from .config import MONTH_RULES, ImportConfig, read_config
from .crm import CrmAccounts, read_crm
from .detect import recognise
from .errors import ImportRefused, MissingConfig
from .forms import FormAnswers, read_form
from .link import FREE_MAIL, Directory, LinkStats, _blank, email_domain, id_column, is_free_mail
from .months import last_complete_month, month_rows
from .report import FileReport, ImportReport
from .stripe import Billing, read_log, read_stripe
from .text import RAW_EXTENSIONS, RawTable, read_raw
from .zendesk import ZendeskTickets, read_zendesk

__all__ = ["REPORT_JSON", "REPORT_MD", "import_folder"]

REPORT_JSON = "import_report.json"
REPORT_MD = "import_report.md"
_DATA_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")  # what csa.load reads as a table


# ------------------------------------------------------------------------------------------- files

def _raw_files(raw_dir: Path) -> list[Path]:
    return sorted((p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
                   and p.suffix.lower() in RAW_EXTENSIONS), key=lambda p: unicodedata.normalize("NFC", p.name))


def _survey_lines(files: list[tuple[RawTable, str]]) -> str:
    """The ``surveys:`` entries to add for survey exports the config does not describe."""
    out = ["surveys:"]
    for raw, label in files:
        guess = _guess_question(raw)
        question = _quoted(guess[0] if guess else "<header text, or a unique part of it>")
        out += [f"  - file: {_quoted(raw.name)}   # {label}",
                f"    survey: {guess[1] if guess else 'nps'}                # nps, csat or ces",
                f"    question: {question}"
                + ("" if guess else "   # one of: " + " | ".join(raw.header[:12])),
                "    touchpoint: relationship   # where it was sent (or the header of a column holding it)"]
    return "\n".join(out)


def _quoted(text: str) -> str:
    """``text`` as a double-quoted YAML string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _guess_question(raw: RawTable) -> tuple[str, str] | None:
    """The one column whose answers are all whole numbers on a survey scale, and that scale's survey."""
    from .forms import score_of

    found = []
    for i, h in enumerate(raw.header):
        vals = [r[i] for r in raw.rows if r[i].strip()]
        try:
            scores = [score_of(v) for v in vals]
        except ValueError:
            continue
        if not vals or any(s is None for s in scores) or len(vals) < max(3, len(raw.rows) // 3):
            continue
        lo, hi = min(scores), max(scores)
        if hi <= 10 and not h.strip().isdigit():
            found.append((h, "nps" if lo == 0 or hi > 7 else "ces" if hi > 5 else "csat"))
    return found[0] if len(found) == 1 else None


def _records(df: pd.DataFrame) -> list[dict]:
    """The rows as dicts, missing values as ``None`` (pandas gives NaN for a missing text)."""
    return [{k: None if _blank(v) else v for k, v in r.items()} for r in df.to_dict("records")]


def _norm(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


# ------------------------------------------------------------------------------------------ values

def _fmt(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if hasattr(v, "item") and not isinstance(v, pd.Timestamp):  # numpy scalars
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def _csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(df.columns)
    for row in df.itertuples(index=False):
        w.writerow([_fmt(v) for v in row])
    return buf.getvalue()


_HINTS = {("customers", "segment"): "no segment rule in the config (customers: segment:)",
          ("customers", "region"): "no region column in the config (customers: region:)",
          ("customers", "csm"): "the exports do not have it",
          ("surveys", "comment"): "no comment column found (name it with comment: in the survey entry)"}


def _columns(name: str, df: pd.DataFrame, extra: tuple[str, ...] = ()) -> tuple[pd.DataFrame, dict[str, str]]:
    """The columns of table ``name`` to write, in the data model's order, and the model's columns left out.

    A column is written when at least one row has a value, except an optional column that does not
    accept blanks when some rows have none (csa's loader would refuse the table).
    """
    t = TABLES[name]
    keep, left = [], {}
    for c in t.columns:
        if c.name not in df.columns:
            left[c.name] = "the exports do not have it"
            continue
        present = df[c.name].notna()
        if not present.any() and not c.required:
            left[c.name] = _HINTS.get((name, c.name), "no values in the exports")
            continue
        if not present.all() and not c.nullable and not c.required:
            left[c.name] = f"{int((~present).sum()):,} rows have none and the data model does not accept blanks here"
            continue
        keep.append(c.name)
    keep += [c for c in extra if c in df.columns and c not in keep]
    return df[keep], left


# ------------------------------------------------------------------------------------------ import

def import_folder(raw_dir: str | os.PathLike, into: str | os.PathLike, *,
                  config: str | os.PathLike | dict | None = None) -> ImportReport:
    """Import a folder of raw exports into a csa data folder, and report what was done.

    Each file in ``raw_dir`` is recognised by its columns: a Zendesk Support ticket export (English or
    Japanese headers), Google Forms and Microsoft Forms responses, a Stripe subscriptions export or a
    generic subscription event log, a Salesforce account report or a HubSpot companies export (CSV in
    UTF-8 or cp932, with or without a report's footer lines; Excel for Microsoft Forms). They are
    linked to customers and written as csa tables (``customers``, ``subscriptions``, ``tickets``,
    ``surveys``), with the import report as ``import_report.json`` and ``import_report.md``.

    Parameters
    ----------
    raw_dir : folder holding the exports as downloaded.
    into : the data folder to write (created if missing). Tables written by an earlier import are
        replaced; a table file that an import did not write is never overwritten (refused).
    config : the import config: a YAML file, a dict, or ``None`` for ``import.yaml`` in ``raw_dir``
        (see :mod:`csa.imports.config`).

    Returns
    -------
    ImportReport
        Per file: recognised as, encoding, rows in, rows written, skipped and why, linking; the
        month rule; the tables and columns written. ``str(report)`` is the printed report.

    Raises
    ------
    MissingConfig
        Something only you know is missing from the config; its message holds the YAML lines to add.
    ImportRefused
        A file or value that cannot be imported, naming the file, column, rows and how to fix it.

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> report = import_folder("data/examples/stripe_salesforce", out)
    >>> report.tables["customers"] > 0, sorted(report.tables)
    (True, ['customers', 'subscriptions', 'surveys', 'tickets'])
    >>> report.file("subscriptions.csv").recognised, report.last_month
    ('Stripe subscriptions export', '2026-10')
    >>> report.file("取引先レポート.csv").skipped
    {'footer': 4, 'prospect': 10}
    """
    raw_dir, into = Path(raw_dir), Path(into)
    if not raw_dir.is_dir():
        raise ImportRefused(f"raw folder not found: {raw_dir}. Fix: give the folder holding the exports as "
                            "downloaded (Zendesk, Stripe, Salesforce, forms …)")
    if into.resolve() == raw_dir.resolve():
        raise ImportRefused(f"the data folder {into} is the raw folder. Fix: write the data folder elsewhere, "
                            "e.g. --into data/mine")
    if config is None and (raw_dir / "import.yaml").is_file():
        config = raw_dir / "import.yaml"

    # 1. read and recognise every file (nothing here needs the config)
    raws: list[tuple[RawTable, object, dict]] = []
    reports: dict[str, FileReport] = {}
    for path in _raw_files(raw_dir):
        raw = read_raw(path)
        layout, where = recognise(raw.header)
        rep = FileReport(raw.name, layout.label if layout else None, layout.kind if layout else None,
                         raw.encoding if raw.encoding == "Excel workbook" else _enc(raw.encoding),
                         len(raw.rows) + raw.skipped.get("footer", 0))
        rep.skipped.update(raw.skipped)
        if layout is None:
            rep.notes.append("columns: " + ", ".join(raw.header[:8]) + (" …" if len(raw.header) > 8 else ""))
        reports[raw.name] = rep
        raws.append((raw, layout, where))

    # 2. the config: everything missing is asked for at once
    forms = [(raw, layout) for raw, layout, _ in raws if layout is not None and layout.kind == "survey"]
    try:
        cfg = read_config(config)
        missing_tz = False
    except MissingConfig as exc:
        cfg, missing_tz = exc.partial or ImportConfig(timezone="UTC", source=exc.config), True
    lacking = [(raw, layout.label) for raw, layout in forms if cfg.survey_for(raw.name) is None]
    if missing_tz or lacking:
        lines, why = [], []
        if missing_tz:
            lines.append("timezone: Asia/Tokyo   # your business time zone (IANA name)")
            why.append("the business time zone is not given")
        if lacking:
            lines.append(_survey_lines(lacking))
            why.append(f"{len(lacking)} survey export(s) are not described ({', '.join(r.name for r, _ in lacking)}): "
                       "a form does not say which survey it is, which question is scored, or where it was sent")
        if isinstance(config, dict):
            where_to = "the import config"
        elif config is None:
            where_to = f"{raw_dir / 'import.yaml'} (a new file; or give another with --config)"
        else:
            where_to = cfg.source
        raise MissingConfig("stopped: " + "; ".join(why) + ".", "\n".join(lines), where_to)
    names = {unicodedata.normalize("NFC", raw.name) for raw, _, _ in raws}
    for s in cfg.surveys:
        if unicodedata.normalize("NFC", s.file) not in names:
            raise ImportRefused(f"{cfg.source}: the survey entry names {s.file!r}, which is not in {raw_dir}. Fix: "
                                "write the file name as it is; the files are: " + ", ".join(sorted(names)))
    tz = cfg.timezone

    # 3. each file by its kind
    crms: list[CrmAccounts] = []
    bills: list[Billing] = []
    zds: list[ZendeskTickets] = []
    answers: list[FormAnswers] = []
    for raw, layout, where in raws:
        if layout is None:
            continue
        if layout.kind == "crm":
            crms.append(read_crm(raw, layout, where, cfg))
        elif layout.key == "stripe_subscriptions":
            bills.append(read_stripe(raw, where, tz))
        elif layout.key == "subscription_log":
            bills.append(read_log(raw, where, tz))
        elif layout.kind == "tickets":
            zds.append(read_zendesk(raw, where, tz))
        else:
            answers.append(read_form(raw, layout, where, cfg.survey_for(raw.name), tz, cfg.source))
    for what, found in (("CRM account report", crms), ("billing export", bills)):
        if len(found) > 1:
            raise ImportRefused(f"{raw_dir} holds {len(found)} files recognised as a {what} "
                                f"({', '.join(f.file for f in found)}); csa imports one. Fix: keep one of them in "
                                "the raw folder (or merge them into one export)")
    seen_tickets: dict[str, str] = {}
    for z in zds:
        for t in z.tickets["ticket_id"]:
            if t in seen_tickets:
                raise ImportRefused(f"ticket {t!r} is in both {seen_tickets[t]} and {z.file}. Fix: keep one export "
                                    "per ticket (overlapping date ranges?)")
            seen_tickets[t] = z.file
    crm = crms[0] if crms else None
    bill = bills[0] if bills else None

    # 4. the files' date, and the last complete month
    if cfg.as_of is not None:
        as_of, as_of_source = cfg.as_of, f"as_of in {cfg.source}"
    else:
        latest = [(x.latest, x.file) for x in [*bills, *zds, *answers]
                  if x.latest is not None and not pd.isna(x.latest)]
        as_of, src = max(latest, key=lambda t: t[0]) if latest else (None, "")
        as_of_source = f"the latest time in {src}" if src else ""
    last = last_complete_month(as_of, tz) if as_of is not None else None

    # 5. customers: the CRM's customers, then billing customers it lacks
    free = frozenset(FREE_MAIL | {str(d).casefold() for d in cfg.links.get("free_mail", []) or []})
    directory = Directory(free_mail=free)
    customers: dict[str, dict] = {}
    crm_dir = Directory(free_mail=free)
    billing_col = None
    active = pd.DataFrame(columns=["customer", "month", "mrr"])
    if bill is not None:
        paid = bill.subs[bill.subs["skip"].isna()].rename(columns={"billing_id": "customer"})
        active = month_rows(paid, tz, last=last, rule=cfg.month_rule) if last is not None else active
        rep = reports[bill.file]
        rep.skipped.update(bill.skipped)
        rep.notes += bill.notes
    payers = sorted(set(active["customer"]))  # paying at some month's end
    if bill is not None:  # paid at some time before the files' date: billing customers
        ok = bill.subs["skip"].isna() & (bill.subs["paid_start"] <= as_of if as_of is not None else True)
        paid_ever = sorted(set(bill.subs.loc[ok, "billing_id"]))
    else:
        paid_ever = []
    if crm is not None:
        rep = reports[crm.file]
        rep.skipped.update(crm.skipped)
        if crm.types:
            rep.notes.append("types: " + ", ".join(f"{t} {n}" for t, n in sorted(crm.types.items())))
        if bill is not None:
            want = cfg.links.get("billing_id")
            if want:
                from .text import header_key

                match = [c for c in crm.columns if header_key(c) == header_key(want)]
                if not match:
                    raise ImportRefused(f"{cfg.source}: links: billing_id names {want!r}, which {crm.file} does not "
                                        f"have. Fix: use one of its columns: {', '.join(crm.columns)}")
                billing_col, hits = match[0], None
            else:
                billing_col, hits = id_column(crm.columns, set(bill.subs["billing_id"]))
            if billing_col:
                rep.notes.append(f"column '{billing_col}' holds {bill.file}'s customer ids"
                                 + (f" (found by value overlap: {hits} values match)" if hits
                                    else " (from the config)"))
        for pos, a in crm.accounts.iterrows():
            if not a["is_customer"]:
                continue
            v = crm.columns[billing_col][pos].strip() if billing_col else ""
            bid = [v] if v else []
            doms = [] if _blank(a["domain"]) else [a["domain"]]
            crm_dir.add(a["crm_id"], a["name"], ids=bid, domains=doms)
            customers[a["crm_id"]] = {"customer_id": a["crm_id"], "name": a["name"] or a["crm_id"],
                                      "segment": None if _blank(a["segment"]) else a["segment"],
                                      "region": None if _blank(a["region"]) else a["region"], "_domains": doms,
                                      "_billing": list(bid),
                                      "signup_date": None if _blank(a["signup"]) else a["signup"]}
        rep.written["customers"] = len(customers)
    billing_to_customer: dict[str, str] = {}
    if bill is not None:
        stats = LinkStats()
        subs = bill.subs
        by_billing = dict(tuple(subs.groupby("billing_id", sort=False)))
        for b in paid_ever:
            rows = by_billing[b]
            name = next((str(n).strip() for n in rows["name"] if not _blank(n)), "")
            emails = sorted({str(e).strip() for e in rows["email"] if not _blank(e)})
            domain = next((email_domain(e) for e in emails if not is_free_mail(email_domain(e), free)), None)
            cid, rule = crm_dir.find(id=b, name=name, email=emails[0] if emails else None, domain=domain)
            if crm is None:
                cid, rule = None, None
            if crm is not None:
                stats.add(rule, free_mail=bool(emails) and domain is None, had_key=bool(name or emails))
            if cid is None:
                cid = b
                customers[b] = {"customer_id": b, "name": name or (emails[0] if emails else b), "segment": None,
                                "region": None, "_domains": [], "_billing": [b], "signup_date": None}
            else:
                customers[cid]["_billing"].append(b)
            customers[cid].setdefault("_emails", []).extend(emails)
            billing_to_customer[b] = cid
        rep = reports[bill.file]
        rep.written["customers"] = sum(1 for b, c in billing_to_customer.items() if b == c)
        if crm is not None:
            rep.linking = stats.as_dict()
            rep.linked_to = "the CRM's customers"
            rep.notes.append(f"billing customers the CRM lacks, added as customers (id = billing id): "
                             f"{sum(1 for b, c in billing_to_customer.items() if b == c):,}")
        never = sorted(set(subs["billing_id"]) - set(paid_ever))
        if never:
            rep.notes.append(f"billing customers who never paid (in trial, a trial that ended unpaid, a failed first "
                             f"payment): {len(never):,}; not customers unless the CRM lists them")
        short = sorted(set(paid_ever) - set(payers))
        if short:
            rep.notes.append(f"billing customers who paid but at no month's end (joined and left inside a month, or "
                             f"started in a month not over yet): {len(short):,}; customers without customer-months")
    for c in customers.values():
        directory.add(c["customer_id"], c["name"], ids=c["_billing"], emails=c.get("_emails", []),
                      domains=c["_domains"])

    # 6. subscriptions: customer-months by the month rule
    tables: dict[str, pd.DataFrame] = {}
    if bill is not None:
        s = active.assign(customer_id=active["customer"].map(billing_to_customer))
        s = s.groupby(["customer_id", "month"], as_index=False, sort=True)["mrr"].sum()
        tables["subscriptions"] = s[["customer_id", "month", "mrr"]]
        reports[bill.file].written["subscriptions"] = len(s)
        if len(s):  # the last months' totals, to hold against the billing tool's own dashboard
            g = s.groupby("month", sort=True).agg(n=("customer_id", "size"), mrr=("mrr", "sum")).tail(3)
            cur = (bill.currency or "").upper()
            reports[bill.file].notes.append("at the month ends: " + "; ".join(
                f"{r.Index} {r.n:,} customers, MRR {r.mrr:,.0f}{' ' + cur if cur else ''}" for r in g.itertuples()))
        used = int(bill.subs["skip"].isna().sum())
        reports[bill.file].notes.insert(0, f"{used:,} of {len(bill.subs):,} subscriptions paid-active at some time; "
                                           f"{len(paid_ever):,} billing customers paid, {len(payers):,} of them "
                                           "at some month's end")
        plan = {}
        paid = bill.subs[bill.subs["skip"].isna()].assign(cid=lambda d: d["billing_id"].map(billing_to_customer))
        first = {cid: t for cid, t in paid.groupby("cid", sort=True)["paid_start"].min().items()}
        last_month_of = active.assign(cid=active["customer"].map(billing_to_customer)).groupby("cid")["month"].max()
        paid_by_customer = dict(tuple(paid.groupby("cid", sort=False)))
        for cid, month in last_month_of.items():
            boundary = (pd.Period(month, "M") + 1).start_time.tz_localize(tz)
            mine = paid_by_customer[cid]
            rows = mine[(mine["paid_start"] < boundary) & (mine["paid_end"].isna() | (mine["paid_end"] >= boundary))]
            if len(rows):
                top = rows.sort_values(["mrr", "sub_id"], ascending=[False, True]).iloc[0]
                p = str(top["plan"]).strip()
                plan[cid] = cfg.plans.get(p, p) or None
        for cid, c in customers.items():
            if cid in first:  # the first paid day; else the CRM's date, if it has one
                c["signup_date"] = first[cid].strftime("%Y-%m-%d")
            c["plan"] = plan.get(cid)
    if customers:
        cdf = pd.DataFrame(sorted(customers.values(), key=lambda c: c["customer_id"]))
        tables["customers"] = cdf.drop(columns=[c for c in cdf.columns if c.startswith("_")])

    # 7. tickets and Zendesk's satisfaction ratings
    surveys = []
    ticket_frames = []
    for z in zds:
        stats = LinkStats()
        ext_ids = set(z.tickets["_external"].dropna())
        use_ext = len(ext_ids & set(directory.ids)) >= 2
        ids = []
        for r in _records(z.tickets[["_org", "_email", "_domain", "_external"]]):
            dom = r["_domain"] or email_domain(r["_email"])
            cid, rule = directory.find(id=r["_external"] if use_ext else None, name=r["_org"], email=r["_email"],
                                       domain=dom)
            stats.add(rule, free_mail=bool(dom) and is_free_mail(dom, free) and not r["_org"],
                      had_key=bool(r["_org"] or r["_email"] or dom))
            ids.append(cid)
        t = z.tickets.assign(customer_id=ids)
        ticket_frames.append(t)
        rep = reports[z.file]
        rep.linking = stats.as_dict()
        rep.written["tickets"] = len(t)
        rep.skipped.update(z.counts)
        if len(z.csat):
            cust = dict(zip(t["ticket_id"], t["customer_id"]))
            surveys.append(pd.DataFrame({
                "response_id": "ZD-CSAT-" + z.csat["ticket_id"].astype(str), "customer_id":
                    z.csat["ticket_id"].map(cust), "survey": "csat", "touchpoint": "support_contact",
                "ticket_id": z.csat["ticket_id"], "responded_at": z.csat["responded_at"],
                "score": z.csat["score"].astype(int), "scale": 2, "comment": None}))
            rep.written["surveys"] = len(z.csat)
            rep.notes.append("satisfaction ratings written as CSAT answers on a 2-point scale (Good = 2, Bad = 1), "
                             "dated at the solve time, touchpoint support_contact")
    if ticket_frames:
        tk = pd.concat(ticket_frames, ignore_index=True)
        tk = tk.drop(columns=[c for c in tk.columns if c.startswith("_")])
        tables["tickets"] = tk

    # 8. survey answers from forms
    for a in answers:
        stats = LinkStats()
        ids = []
        for r in _records(a.answers[["_company", "_email"]]):
            dom = email_domain(r["_email"])
            cid, rule = directory.find(name=r["_company"], email=r["_email"], domain=dom)
            stats.add(rule, free_mail=bool(dom) and is_free_mail(dom, free) and not r["_company"],
                      had_key=bool(r["_company"] or dom))
            ids.append(cid)
        ans = a.answers.assign(customer_id=ids, ticket_id=None)
        surveys.append(ans.drop(columns=[c for c in ans.columns if c.startswith("_")]))
        rep = reports[a.file]
        rep.linking = stats.as_dict()
        rep.written["surveys"] = len(ans)
        rep.skipped.update(a.counts)
        rep.notes.insert(0, f"scored question: {a.question!r}"
                         + (f"; comments from {a.comment!r}" if a.comment else ""))
    if surveys:
        tables["surveys"] = pd.concat(surveys, ignore_index=True)

    # 9. write
    report = ImportReport(raw_dir.name or str(raw_dir), into.name or str(into), tz, cfg.month_rule,
                          MONTH_RULES[cfg.month_rule], as_of.isoformat() if as_of is not None else None,
                          as_of_source, str(last) if last is not None else None,
                          files=list(reports.values()), business_clock=cfg.business_clock)
    out: dict[str, str] = {}
    for name in ("customers", "subscriptions", "tickets", "surveys"):
        if name not in tables:
            continue
        df, left = _columns(name, tables[name], extra=("scale",) if name == "surveys" else ())
        df = df.sort_values(df.columns[0] if name != "subscriptions" else ["customer_id", "month"], kind="stable")
        out[f"{name}.csv"] = _csv(df)
        report.tables[name] = len(df)
        report.columns[name] = list(df.columns)
        report.left_out[name] = left
    unlinked = {t: int(tables[t]["customer_id"].isna().sum()) for t in ("tickets", "surveys") if t in tables}
    for t, n in unlinked.items():
        if n:
            report.notes.append(f"{n:,} {t} row{'' if n == 1 else 's'} link to no customer: kept with an empty "
                                "customer_id (unknown customer); they count wherever no customer attribute is needed")
    if "customers" not in tables:
        report.notes.append("no customers table: the raw folder has neither a CRM report nor a billing export")
    _write(into, out, report)
    return report


def _enc(enc: str) -> str:
    from ..encoding import encoding_name

    return encoding_name(enc)


def _write(into: Path, files: dict[str, str], report: ImportReport) -> None:
    """Write the tables and the report; refuse to overwrite a table file no import wrote."""
    import json

    into.mkdir(parents=True, exist_ok=True)
    before: list[str] = []
    old = into / REPORT_JSON
    if old.is_file():
        try:
            before = list(json.loads(old.read_text(encoding="utf-8")).get("columns", {}))
            before = [f"{t}.csv" for t in before]
        except (ValueError, AttributeError):
            before = []
    tables = {Path(f).stem for f in files}
    for p in sorted(into.iterdir()):
        stem, ext = _norm(p.stem), p.suffix.lower()
        if stem in tables and ext in _DATA_EXTENSIONS and p.name not in before:
            raise ImportRefused(f"{into} already holds {p.name}, which csa import did not write; importing would "
                                f"replace your {stem} table. Fix: move {p.name} out of the folder, or import into "
                                "another folder (--into)")
    for f in before:
        if f not in files and (into / f).is_file():
            (into / f).unlink()
            report.removed.append(f)
    files = dict(files)
    files[REPORT_JSON] = report.to_json()
    files[REPORT_MD] = report.markdown()
    for name, text in files.items():
        tmp = into / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8", newline="")
        os.replace(tmp, into / name)
