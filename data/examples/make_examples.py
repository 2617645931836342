"""Write the synthetic raw exports of ``data/examples/`` (deterministic: run it again, get the same rows).

Two fictional companies, each a folder of files as the vendors write them:

* ``stripe_salesforce/``: a Zendesk Support ticket export (English headers), a Google Forms NPS
  survey (Japanese UI), a Stripe subscriptions export and a Salesforce account report in cp932 with
  its footer lines; ``import.yaml`` holds only the time zone and the survey entry.
* ``hubspot_eventlog/``: a Zendesk ticket export with Japanese headers, a Microsoft Forms CSAT survey
  (Excel), a subscription event log and a HubSpot companies export (UTF-8 with BOM); its
  ``import.yaml`` shows the optional settings (which CRM rows are customers, segments, plans,
  business hours).

Every name, e-mail and id is invented. Usage: ``python data/examples/make_examples.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from pathlib import Path

import holidays

HERE = Path(__file__).resolve().parent
JST = dt.timezone(dt.timedelta(hours=9))
UTC = dt.UTC
AS_OF = dt.datetime(2026, 11, 2, 11, 40, tzinfo=JST)  # when the files were downloaded

PREFIX = [("アルファ", "alpha"), ("ベータ", "beta"), ("青葉", "aoba"), ("桜", "sakura"), ("北斗", "hokuto"),
          ("東西", "tozai"), ("富士", "fuji"), ("大和", "yamato"), ("みらい", "mirai"), ("ひかり", "hikari"),
          ("日本橋", "nihonbashi"), ("丸の内", "marunouchi"), ("新星", "shinsei"), ("港", "minato"),
          ("三葉", "mitsuba"), ("若葉", "wakaba"), ("朝日", "asahi"), ("東光", "toko"), ("明星", "myojo"),
          ("白鷺", "shirasagi"), ("ABC", "abc"), ("NEXT", "next"), ("ライト", "light"), ("スカイ", "sky")]
SUFFIX = [("商事", "shoji"), ("工業", "kogyo"), ("システムズ", "systems"), ("ソリューションズ", "solutions"),
          ("物産", "bussan"), ("製作所", "ss"), ("テック", "tech"), ("物流", "logi"), ("不動産", "estate"),
          ("建設", "kensetsu"), ("食品", "foods"), ("印刷", "print")]
PEOPLE = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "松本",
          "井上"]
GIVEN = ["太郎", "花子", "健", "美咲", "翔", "彩", "大輔", "由美", "誠", "恵"]
ROMAJI = ["sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "yamamoto", "nakamura", "kobayashi", "kato",
          "yoshida", "yamada", "matsumoto", "inoue"]
PREFS = ["東京都", "大阪府", "神奈川県", "愛知県", "福岡県", "北海道", "宮城県", "京都府"]
JP_HOLIDAYS = holidays.country_holidays("JP", years=range(2025, 2028))


# ------------------------------------------------------------------------------------------- helpers

def company(i: int) -> tuple[str, str]:
    p, s = PREFIX[i % len(PREFIX)], SUFFIX[(i * 7 + i // len(PREFIX)) % len(SUFFIX)]
    return p[0] + s[0], f"{p[1]}-{s[1]}.co.jp"


def legal(name: str, i: int) -> str:
    """The registered name: 株式会社 before or after."""
    return f"株式会社{name}" if i % 3 else f"{name}株式会社"


def variant(name: str, i: int) -> str:
    """How another system spells the same company: (株), ㈱, full-width letters, no legal form, spaces."""
    core = name
    k = i % 5
    if k == 0:
        return f"(株){core}"
    if k == 1:
        return f"㈱{core}"
    if k == 2:
        return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in core) + " 株式会社"
    if k == 3:
        return core
    return f"株式会社 {core}"


def business_minutes(a: dt.datetime, b: dt.datetime) -> float:
    """Minutes between a and b within 09:00-18:00 on Japanese working days (Tokyo wall clock).

    Written independently of csa.businesstime: day by day, the overlap with that day's open hours.
    """
    a, b = a.astimezone(JST), b.astimezone(JST)
    total = 0.0
    day = a.date()
    while day <= b.date():
        if day.weekday() < 5 and day not in JP_HOLIDAYS:
            lo = dt.datetime.combine(day, dt.time(9), JST)
            hi = dt.datetime.combine(day, dt.time(18), JST)
            s, e = max(a, lo), min(b, hi)
            if e > s:
                total += (e - s).total_seconds() / 60
        day += dt.timedelta(days=1)
    return total


def write_csv(path: Path, header: list[str], rows: list[list], *, encoding: str = "utf-8", quote_all: bool = False,
              crlf: bool = False, footer: list[str] = ()) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                   lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue() + "".join(line + ("\r\n" if crlf else "\n") for line in footer)
    path.write_bytes(text.encode(encoding))


def utc(t: dt.datetime | None) -> str:
    return "" if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def rand_time(rng: random.Random, start: dt.datetime, end: dt.datetime, *, office: float = 0.8) -> dt.datetime:
    """A time between start and end; with probability ``office`` on a weekday between 09:00 and 18:00."""
    span = (end - start).total_seconds()
    for _ in range(200):
        t = start + dt.timedelta(seconds=rng.uniform(0, span))
        t = t.replace(microsecond=0)
        in_office = t.weekday() < 5 and 9 <= t.astimezone(JST).hour < 18 and t.date() not in JP_HOLIDAYS
        if in_office or rng.random() > office:
            return t
    return t


# ------------------------------------------------------------------------------------ 1: the companies

def stripe_salesforce() -> None:
    rng = random.Random(20261102)
    out = HERE / "stripe_salesforce"
    out.mkdir(exist_ok=True)

    # --- Salesforce: 40 customers, 10 prospects, 2 partners -------------------------------------
    accounts = []
    for i in range(52):
        name, domain = company(i)
        kind = ("顧客 - 直販" if i < 30 else "顧客 - チャネル" if i < 40 else "見込み客" if i < 50 else "パートナー")
        sid = f"0015g00000{'ABCDEFGHJKLMNPQRSTUVWXYZ'[i % 24]}{i:02d}Qx"
        emp = rng.choice([8, 15, 30, 45, 60, 120, 250, 400, 800, 1500, 3200])
        created = dt.date(2024, 4, 1) + dt.timedelta(days=rng.randint(0, 700))
        accounts.append({"i": i, "id": sid, "name": legal(name, i), "core": name, "domain": domain, "type": kind,
                         "employees": emp, "created": created, "pref": rng.choice(PREFS),
                         "owner": rng.choice(PEOPLE) + " " + rng.choice(GIVEN), "stripe": ""})
    customers = [a for a in accounts if a["type"].startswith("顧客")]

    # --- Stripe: one billing customer per paying company, plus four people the CRM does not have -----
    subs = []
    n_sub = [0]
    since: dict[str, dt.datetime] = {}  # each billing customer's first paid day

    def sub(cust: str, email: str, cname: str, product: str, *, start: dt.datetime, trial_days: int = 0,
            ended: dt.datetime | None = None, status: str | None = None, qty: int = 1,
            canceled: dt.datetime | None = None) -> None:
        n_sub[0] += 1
        price = {"Starter": (9800, "month"), "Standard": (2980, "month"), "Premium": (110000, "month"),
                 "Premium (年払い)": (1188000, "year"), "Analytics Add-on": (20000, "month")}[product]
        trial_end = start + dt.timedelta(days=trial_days) if trial_days else None
        paid_from = trial_end or start
        since[cust] = min(since.get(cust, paid_from), paid_from)
        if status is None:
            status = "canceled" if ended is not None else ("trialing" if trial_end and trial_end > AS_OF else "active")
        # the current period: the last period start (monthly or yearly anniversary) before the end or AS_OF
        until = min(ended or AS_OF, AS_OF)
        cps = paid_from
        step = 12 if price[1] == "year" else 1
        while True:
            y, m = divmod(cps.month - 1 + step, 12)
            nxt = cps.replace(year=cps.year + y, month=m + 1, day=min(cps.day, 28))
            if nxt > until:
                break
            cps = nxt
        y, m = divmod(cps.month - 1 + step, 12)
        cpe = cps.replace(year=cps.year + y, month=m + 1, day=min(cps.day, 28))
        if trial_end and trial_end > until:
            cps, cpe = start, trial_end
        subs.append([f"sub_1Q{n_sub[0]:04d}{'KxLmNpQrSt'[n_sub[0] % 10]}{cust[-4:]}", cust, email, cname,
                     f"price_{product.split()[0].lower()}_{price[1]}", product, qty, "jpy", price[1], price[0],
                     status, utc(start - dt.timedelta(minutes=rng.randint(1, 90))), utc(start), utc(cps), utc(cpe),
                     utc(start if trial_days else None), utc(trial_end), utc(canceled or ended), utc(ended),
                     "false"])

    t0 = dt.datetime(2025, 4, 1, 10, tzinfo=JST)
    paying = customers[:38]  # two customers pay by invoice outside Stripe
    for k, a in enumerate(paying):
        cust = f"cus_Q{k:03d}{'abcdefghij'[k % 10]}{'XYZW'[k % 4]}7r{k % 10}"
        a["cus"] = cust
        a["stripe"] = cust if k % 6 else ""  # every sixth has no id in the CRM: linked by name or domain
        person = ROMAJI[k % len(ROMAJI)]
        email = f"{person}@{a['domain']}" if k % 9 else f"{person}.{a['i']}@gmail.com"
        cname = variant(a["core"], k)
        start = rand_time(rng, t0, dt.datetime(2026, 8, 20, tzinfo=JST))
        trial = 14 if k % 3 == 0 else 0
        product, qty = (("Standard", rng.randint(5, 40)) if k % 4 in (0, 1) else ("Starter", 1) if k % 4 == 2
                        else (("Premium (年払い)" if k % 8 == 3 else "Premium"), 1))
        if k == 0:  # reactivated: left in June, came back on 5 October
            sub(cust, email, cname, "Standard", start=dt.datetime(2025, 11, 4, 11, tzinfo=JST), qty=12,
                ended=dt.datetime(2026, 6, 15, 3, 0, tzinfo=UTC))
            sub(cust, email, cname, "Standard", start=dt.datetime(2026, 10, 5, 14, 20, tzinfo=JST), qty=10)
        elif k == 1:  # churned on 1 October 00:30 Tokyo (30 September in UTC)
            sub(cust, email, cname, product, start=start, qty=qty, ended=dt.datetime(2026, 9, 30, 15, 30, tzinfo=UTC))
        elif k == 2:  # ends at 01:30 on 1 November Tokyo (31 October UTC): still paying at the end of October
            sub(cust, email, cname, product, start=start, qty=qty, ended=dt.datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
        elif k in (3, 4):  # churned in October
            sub(cust, email, cname, product, start=start, qty=qty,
                ended=dt.datetime(2026, 10, 9 * k - 19, 2, 0, tzinfo=UTC),
                canceled=dt.datetime(2026, 9, 20, tzinfo=UTC))
        elif k in (5, 6):  # expansion in October: an add-on from 12 October
            sub(cust, email, cname, product, start=start, qty=qty)
            sub(cust, email, cname, "Analytics Add-on", start=dt.datetime(2026, 10, 12, 10, 5, tzinfo=JST))
        elif k in (7, 8):  # contraction in October: the add-on ends
            sub(cust, email, cname, product, start=start, qty=qty)
            sub(cust, email, cname, "Analytics Add-on", start=dt.datetime(2026, 3, 2, 9, 40, tzinfo=JST),
                ended=dt.datetime(2026, 10, 20, 1, 0, tzinfo=UTC))
        elif k in (9, 10, 11):  # new in October (one after a trial that started in September)
            s = (dt.datetime(2026, 9, 25, 15, tzinfo=JST) if k == 9 else dt.datetime(2026, 10, 6 + 7 * (k - 10), 11,
                                                                                         tzinfo=JST))
            sub(cust, email, cname, product, start=s, qty=qty, trial_days=14 if k == 9 else 0)
        elif k == 12:  # past due since October: still counted until it ends
            sub(cust, email, cname, product, start=start, qty=qty, status="past_due")
        elif k == 13:  # started on 1 November: new in November (not yet a complete month)
            sub(cust, email, cname, product, start=dt.datetime(2026, 11, 1, 10, 0, tzinfo=JST), qty=qty)
        elif k == 14:  # in trial at the download
            sub(cust, email, cname, product, start=dt.datetime(2026, 10, 24, 13, tzinfo=JST), qty=qty, trial_days=14)
        else:
            ended = None
            if k % 7 == 0:  # earlier churn
                ended = rand_time(rng, start + dt.timedelta(days=60), dt.datetime(2026, 9, 10, tzinfo=JST))
            sub(cust, email, cname, product, start=start, qty=qty, trial_days=trial, ended=ended)
    # people the CRM does not have (personal e-mail): one joins and leaves inside October
    for j, (nm, mail) in enumerate([("山田 花子", "hanako.yamada@gmail.com"), ("Ken Ito", "ken.ito@yahoo.co.jp"),
                                    ("鈴木 誠", "suzuki.makoto@icloud.com"), ("高橋 彩", "aya.t@outlook.com")]):
        cust = f"cus_P{j:03d}solo{j}"
        if j == 0:
            sub(cust, mail, nm, "Starter", start=dt.datetime(2026, 10, 3, 9, 30, tzinfo=JST),
                ended=dt.datetime(2026, 10, 24, 5, 0, tzinfo=UTC))
        else:
            sub(cust, mail, nm, "Starter", start=rand_time(rng, t0, dt.datetime(2026, 9, 1, tzinfo=JST)))
    # a prospect tried and never paid; a first payment that failed
    pa, pb = accounts[40], accounts[41]
    sub("cus_T000trial", f"info@{pa['domain']}", pa["core"], "Standard", qty=5, trial_days=14,
        start=dt.datetime(2026, 8, 1, 10, tzinfo=JST), ended=dt.datetime(2026, 8, 15, 1, 0, tzinfo=UTC))
    sub("cus_T001fail", f"keiri@{pb['domain']}", pb["core"], "Premium", status="incomplete_expired",
        start=dt.datetime(2026, 10, 15, 10, tzinfo=JST))
    subs.sort(key=lambda r: r[11], reverse=True)  # the dashboard lists the newest first
    write_csv(out / "subscriptions.csv",
              ["id", "Customer ID", "Customer Email", "Customer Name", "Plan", "Product", "Quantity", "Currency",
               "Interval", "Amount", "Status", "Created (UTC)", "Start (UTC)", "Current Period Start (UTC)",
               "Current Period End (UTC)", "Trial Start (UTC)", "Trial End (UTC)", "Canceled At (UTC)",
               "Ended At (UTC)", "Cancel At Period End"], subs)

    # --- the Salesforce report, as "Export details" writes it in Japanese: cp932, CRLF, footer --------
    header = ["取引先 ID", "取引先名", "取引先 種別", "業種", "従業員数", "Web サイト", "都道府県(請求先)",
              "取引先 所有者", "作成日", "取引開始日", "Stripe顧客ID"]
    rows = [[a["id"], a["name"], a["type"], rng.choice(["製造", "小売", "IT", "不動産", "物流", "食品"]),
             a["employees"], f"https://www.{a['domain']}/" if a["i"] % 4 else a["domain"], a["pref"], a["owner"],
             a["created"].strftime("%Y/%m/%d"),
             (a["created"] + dt.timedelta(days=30)).strftime("%Y/%m/%d") if a["type"].startswith("顧客") else "",
             a["stripe"]] for a in accounts]
    rows.sort(key=lambda r: r[1])
    write_csv(out / "取引先レポート.csv", header, rows, encoding="cp932", quote_all=True, crlf=True,
              footer=["", f'"合計 ({len(rows)} レコード)"', "", '"機密情報 - 社外秘"',
                      '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
                      '"作成者: 佐藤 太郎 2026/11/02 11:40"'])

    # --- Zendesk tickets ------------------------------------------------------------------------------
    zd_rows = []
    [a for a in accounts if a["type"] != "パートナー"]
    groups = ["一次対応", "技術サポート"]
    agents = ["佐藤 美咲", "鈴木 健", "高橋 由美", "田中 翔", "伊藤 彩"]
    via = ["Mail", "Mail", "Web form", "Chat", "Voice"]
    start, stop = dt.datetime(2026, 8, 1, tzinfo=JST), AS_OF - dt.timedelta(minutes=5)
    times = sorted(rand_time(rng, start, stop) for _ in range(320))  # ids follow creation, as in Zendesk

    def customer_at(t: dt.datetime) -> dict:
        """A customer who had started paying by t (or pays outside Stripe)."""
        return rng.choice([a for a in customers if "cus" not in a or since.get(a["cus"], AS_OF) <= t])
    for n in range(320):
        tid = 10001 + n
        created = times[n]
        r = rng.random()
        org, email = "", ""
        if r < 0.62:  # a customer, organisation set in Zendesk (as Zendesk spells it)
            a = customer_at(created)
            org = variant(a["core"], n) if n % 3 else a["name"]
            email = f"{rng.choice(ROMAJI)}@{a['domain']}"
        elif r < 0.77:  # a customer's employee without an organisation: linked by the e-mail domain
            a = customer_at(created)
            email = f"{rng.choice(ROMAJI)}@mail.{a['domain']}" if n % 4 == 0 else f"{rng.choice(ROMAJI)}@{a['domain']}"
        elif r < 0.84:  # a prospect asking before buying: no customer
            a = rng.choice(accounts[40:50])
            org, email = a["name"], f"{rng.choice(ROMAJI)}@{a['domain']}"
        elif r < 0.87:  # a billing customer the CRM does not have, by the address Stripe knows
            email = rng.choice(["hanako.yamada@gmail.com", "ken.ito@yahoo.co.jp", "aya.t@outlook.com"])
        else:  # someone at a free-mail address, no organisation: cannot be linked
            free = rng.choice(["gmail.com", "yahoo.co.jp", "docomo.ne.jp"])
            email = f"{rng.choice(ROMAJI)}{rng.randint(1, 99)}@{free}"
        requester = rng.choice(PEOPLE) + " " + rng.choice(GIVEN)
        age = (AS_OF - created).total_seconds() / 3600
        replies = rng.choice([0, 1, 1, 1, 2, 2, 3, 4]) if age > 2 else 0
        first_min = None
        first = None
        if replies:
            first_min = int(min(rng.lognormvariate(4.5, 1.3), 4000))
            first = created + dt.timedelta(minutes=first_min)
            if first > AS_OF:
                first_min, first, replies = None, None, 0
        solved = None
        st = rng.random()
        if first is not None and (st < 0.82 or created < dt.datetime(2026, 10, 1, tzinfo=JST)) and st < 0.95:
            solved = first + dt.timedelta(minutes=int(rng.lognormvariate(5.5, 1.4)))
            if solved > AS_OF:
                solved = None
        if solved is not None:
            status = "Closed" if (AS_OF - solved).days > 4 else "Solved"
        else:
            status = "New" if replies == 0 else rng.choice(["Open", "Pending", "On-hold"])
        reopens = 1 if solved is not None and rng.random() < 0.08 else 0
        sat = "Not Offered"
        if solved is not None:
            s = rng.random()
            sat = "Good" if s < 0.42 else "Bad" if s < 0.52 else "Offered" if s < 0.82 else "Unoffered"
        updated = max(x for x in (created, first, solved) if x is not None) + dt.timedelta(minutes=rng.randint(0, 30))
        updated = min(updated, AS_OF)
        fmt = lambda t: "" if t is None else t.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S %z")
        biz = lambda a, b: "" if b is None else str(round(business_minutes(a, b)))
        mins = lambda a, b: "" if b is None else str(round((b - a).total_seconds() / 60))
        domain = email.split("@")[1] if email else ""
        group = groups[0] if replies < 3 else groups[1]
        assignee = rng.choice(agents) if replies else ""
        zd_rows.append([
            n + 1, tid, requester, 360000000000 + n * 7, "", email, domain, requester, assignee, group,
            rng.choice(["ログインできない", "請求書の再発行", "CSVの取り込みエラー", "権限の設定方法", "解約について",
                        "APIの利用上限"]),
            rng.choice(["", "billing", "login", "api"]), status,
            rng.choice(["Low", "Normal", "Normal", "High", "Urgent"]),
            rng.choice(via), rng.choice(["Question", "Question", "Incident", "Problem", "Task"]), fmt(created),
            fmt(updated), fmt(first if assignee else None), org, "", fmt(first if assignee else None), fmt(solved),
            "" if solved is None else round((solved - created).total_seconds() / 3600), sat, 1, 1 if assignee else 0,
            reopens, replies, "" if first_min is None else first_min, biz(created, first),
            mins(created, solved), biz(created, solved), mins(created, solved), biz(created, solved),
            "" if solved is None else rng.randint(0, 300), "" if solved is None else rng.randint(0, 200),
            "" if solved is None else rng.randint(0, 900), "" if solved is None else rng.randint(0, 500), 0, 0])
    write_csv(out / "export-2026-11-02-1140-tickets.csv",
              ["Summation column", "Id", "Requester", "Requester id", "Requester external id", "Requester email",
               "Requester domain", "Submitter", "Assignee", "Group", "Subject", "Tags", "Status", "Priority", "Via",
               "Ticket type", "Created at", "Updated at", "Assigned at", "Organization", "Due date",
               "Initially assigned at", "Solved at", "Resolution time", "Satisfaction Score", "Group stations",
               "Assignee stations", "Reopens", "Replies", "First reply time in minutes",
               "First reply time in minutes within business hours", "First resolution time in minutes",
               "First resolution time in minutes within business hours", "Full resolution time in minutes",
               "Full resolution time in minutes within business hours", "Agent wait time in minutes",
               "Agent wait time in minutes within business hours", "Requester wait time in minutes",
               "Requester wait time in minutes within business hours", "On hold time in minutes",
               "On hold time in minutes within business hours"], zd_rows)

    # --- Google Forms NPS (Japanese UI) --------------------------------------------------------------
    reasons = ["サポートが丁寧", "価格が高い", "機能が足りない", "使いやすい", "動作が重い", "", "", ""]
    form_rows = []
    times = sorted(rand_time(rng, dt.datetime(2026, 9, 1, tzinfo=JST), AS_OF - dt.timedelta(minutes=1), office=0.6)
                   for _ in range(150))
    for n in range(150):
        t = times[n]
        r = rng.random()
        if r < 0.55:
            a = rng.choice(customers)
            comp, mail = variant(a["core"], n + 1), f"{rng.choice(ROMAJI)}@{a['domain']}"
        elif r < 0.7:  # company named, personal address: linked by the name
            a = rng.choice(customers)
            comp, mail = a["name"], f"{rng.choice(ROMAJI)}{n}@gmail.com"
        elif r < 0.8:  # no company, company address: linked by the domain
            a = rng.choice(customers)
            comp, mail = "", f"{rng.choice(ROMAJI)}@{a['domain']}"
        else:  # nothing to link by
            comp, mail = "", f"{rng.choice(ROMAJI)}{n}@{rng.choice(['gmail.com', 'yahoo.co.jp', 'ezweb.ne.jp'])}"
        score = rng.choices(range(11), weights=[2, 1, 2, 3, 3, 6, 8, 12, 14, 9, 7])[0]
        score_txt = "" if n % 23 == 5 else str(score)  # a few left the optional score blank
        h = t.hour % 12 or 12
        stamp = f"{t:%Y/%m/%d} {h}:{t:%M:%S} {'午前' if t.hour < 12 else '午後'} GMT+9"
        form_rows.append([stamp, mail, comp, score_txt, rng.choice(reasons)])
    write_csv(out / "顧客アンケート2026（回答）.csv",
              ["タイムスタンプ", "メールアドレス", "会社名",
               "当社サービスを友人や同僚にすすめる可能性は、0〜10でどのくらいありますか？",
               "そのように評価された理由をお聞かせください（任意）"], form_rows)

    (out / "import.yaml").write_text(
        "# What csa import cannot see in these files: the business time zone, and what the survey measures.\n"
        "timezone: Asia/Tokyo\n"
        "surveys:\n"
        '  - file: "顧客アンケート2026（回答）.csv"\n'
        "    survey: nps\n"
        '    question: "すすめる可能性"\n'
        "    touchpoint: relationship\n", encoding="utf-8")


# ------------------------------------------------------------------------------------ 2: the companies

def hubspot_eventlog() -> None:
    rng = random.Random(20261103)
    out = HERE / "hubspot_eventlog"
    out.mkdir(exist_ok=True)
    stages = ["Customer"] * 16 + ["Evangelist"] * 2 + ["Lead", "Opportunity", "Subscriber", "Marketing Qualified Lead"]
    companies = []
    for i in range(22):
        name, domain = company(i + 30)
        companies.append({"id": str(9_870_000_000 + i * 137), "name": legal(name, i), "core": name,
                          "domain": domain, "stage": stages[i], "employees": rng.choice([12, 40, 90, 150, 600, 2400]),
                          "billing": f"K{1001 + i}" if i < 18 else ""})
    # the event log: the in-house billing system's ids (K…), dates, monthly amounts per seat or per year
    log = []
    for i, c in enumerate(companies[:18]):
        s = dt.date(2025, 10, 1) + dt.timedelta(days=rng.randint(0, 330))
        plan = ["ライト", "スタンダード", "エンタープライズ"][i % 3]
        amount, interval, qty = {"ライト": (5000, "月", 1), "スタンダード": (1500, "月", rng.randint(5, 30)),
                                 "エンタープライズ": (960000, "年", 1)}[plan]
        if i == 4:  # the customer who adds a second contract in October: 20 seats
            qty = 20
        end = ""
        if i in (2, 5):  # churned in October
            end = f"2026-10-{10 + i}"
        elif i == 7:  # the contract covers 31 October: churn shows in November
            end = "2026-10-31"
        elif i == 9:  # an earlier end
            end = "2026-07-31"
        if i == 11:  # new in October
            s = dt.date(2026, 10, 14)
        name = c["core"] if i % 2 else c["name"]
        log.append([c["billing"], name, plan, s.isoformat(), end, amount, qty, interval])
        if i == 4:  # expansion: a second contract from October
            log.append([c["billing"], name, "オプション", "2026-10-01", "", 10000, 1, "月"])
    log.append(["K2001", "個人事業 青山デザイン", "ライト", "2026-03-01", "", 5000, 1, "月"])  # not in the CRM
    write_csv(out / "subscription_events.csv",
              ["customer_id", "customer_name", "plan", "start_date", "end_date", "amount", "quantity", "interval"],
              log)
    rows = [[c["id"], c["name"], c["domain"], c["employees"], c["stage"],
             f"2025-0{1 + i % 9}-1{i % 9} 10:0{i % 10}", c["billing"]] for i, c in enumerate(companies)]
    write_csv(out / "hubspot-crm-exports-all-companies-2026-11-02.csv",
              ["Record ID", "Company name", "Company Domain Name", "Number of Employees", "Lifecycle Stage",
               "Create Date", "Billing ID"], rows, encoding="utf-8-sig")

    # Zendesk with Japanese headers: times without an offset (read in the business time zone)
    zd = []
    status_ja = {"Solved": "解決済み", "Closed": "終了", "Open": "オープン", "Pending": "保留中", "New": "新規"}
    times = sorted(rand_time(rng, dt.datetime(2026, 9, 1, tzinfo=JST), AS_OF - dt.timedelta(hours=1))
                   for _ in range(90))
    for n in range(90):
        created = times[n]
        c = rng.choice(companies)
        org = variant(c["core"], n) if n % 5 else ""
        email = f"{rng.choice(ROMAJI)}@{c['domain']}" if n % 7 else f"user{n}@gmail.com"
        replies = rng.choice([1, 1, 2, 3])
        first_min = int(min(rng.lognormvariate(4.2, 1.2), 3000))
        first = created + dt.timedelta(minutes=first_min)
        solved = first + dt.timedelta(minutes=int(rng.lognormvariate(5, 1.2)))
        st = "Solved" if solved < AS_OF and n % 6 else "Open"
        if st == "Solved" and (AS_OF - solved).days > 4:
            st = "Closed"
        solved_txt = solved.strftime("%Y/%m/%d %H:%M") if st in ("Solved", "Closed") else ""
        sat = rng.choice(["良い", "良い", "悪い", "提供済み", "未提供"]) if solved_txt else "未提供"
        zd.append([20001 + n, "山田 一郎", email, email.split("@")[1], rng.choice(["佐藤", "鈴木"]), "サポート",
                   status_ja[st], rng.choice(["低", "普通", "高"]), rng.choice(["メール", "チャット", "電話"]),
                   rng.choice(["質問", "インシデント"]), created.strftime("%Y/%m/%d %H:%M"),
                   created.strftime("%Y/%m/%d %H:%M"), org, solved_txt, sat, 0, replies, first_min,
                   round(business_minutes(created, first))])
    write_csv(out / "zendesk_tickets_ja.csv",
              ["ID", "リクエスタ", "リクエスタのメールアドレス", "リクエスタのドメイン", "担当者", "グループ",
               "ステータス",
               "優先度", "経路", "チケットタイプ", "作成日", "更新日", "組織", "解決日", "満足度スコア", "再オープン",
               "返信", "初回返信時間（分）", "初回返信時間（分）（営業時間内）"], zd)

    # Microsoft Forms CSAT (Japanese UI), an Excel workbook with real date-time cells
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["ID", "開始時刻", "完了時刻", "メール", "名前", "最終変更時刻",
               "今回のサポート対応にどの程度満足されましたか？", "ご意見・ご要望"])
    times = sorted(rand_time(rng, dt.datetime(2026, 9, 1, tzinfo=JST), AS_OF - dt.timedelta(hours=1))
                   for _ in range(60))
    for n in range(60):
        t = times[n].replace(tzinfo=None)
        c = rng.choice(companies)
        mail = f"{rng.choice(ROMAJI)}@{c['domain']}" if n % 6 else "anonymous"
        ws.append([n + 1, t - dt.timedelta(minutes=3), t, mail, "" if mail == "anonymous" else rng.choice(PEOPLE),
                   None, None if n % 17 == 4 else rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 8, 6])[0],
                   rng.choice(["", "", "迅速でした", "説明が分かりにくい"])])
    wb.properties.creator = "Microsoft Forms"
    fixed = dt.datetime(2026, 11, 2, 2, 40)
    wb.properties.created = wb.properties.modified = fixed
    path = out / "サポート満足度調査(1-60).xlsx"
    wb.save(path)
    _freeze_zip(path, fixed)

    (out / "import.yaml").write_text("""\
# The optional settings, each for something the files cannot say.
timezone: Asia/Tokyo
surveys:
  - file: "サポート満足度調査(1-60).xlsx"
    survey: csat
    question: "満足されましたか"
    touchpoint: support_contact
    scale: 5
    comment: "ご意見"
customers:
  # which CRM rows are customers (default: every row but prospects)
  is_customer: {column: "Lifecycle Stage", values: [Customer, Evangelist]}
  # segment from employee-count bands: a band starts at its number
  segment: {column: "Number of Employees", bands: {smb: 0, mid_market: 100, enterprise: 1000}}
plans:          # the billing plan → the plan written in customers
  ライト: starter
  スタンダード: standard
  エンタープライズ: premium
business_hours: {hours: "09:00-18:00", holidays: JP, closed: "12-29..01-03"}
# month_rule: end_of_month   # the default: the state at the last instant of each month
# as_of: 2026-11-02          # the download date (default: the latest time in the files)
""", encoding="utf-8")


def _freeze_zip(path: Path, when: dt.datetime) -> None:
    """Rewrite a workbook with fixed member times, so the file is the same on every run."""
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(members):
            if name == "docProps/core.xml":  # openpyxl stamps the save time here
                import re

                stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


if __name__ == "__main__":
    stripe_salesforce()
    hubspot_eventlog()
    print(f"wrote {HERE / 'stripe_salesforce'} and {HERE / 'hubspot_eventlog'}")
