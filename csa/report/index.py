"""``index.html``: a one-page summary of the headline records, then the sections with their status,
run time, links and lists (and the scorecard, when there is a KPI registry).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import numbers as num
from ..kpi import KPIS
from .pages import _e, _nav, _page, _t

#: the records of the registry's actions' effects (the KPI-cycle section): a block of their own on the front page
EFFECT_PREFIX = "kpi_cycle_effect_"


def _digits(rec: dict[str, Any]) -> int | None:
    """Decimals of a record's KPI as its catalogue entry declares them (``None``: the unit's)."""
    k = KPIS.get(rec.get("kpi") or "")
    return k.fmt.digits if k is not None else None


def _change(ch: dict[str, Any] | None, unit: str, digits: int | None, lang: str) -> str:
    if not ch or ch.get("diff") is None:
        return _t("no_comparison", lang)
    diff = num.change(ch["diff"], unit, lang, digits=digits)
    if ch.get("low") is None and ch.get("p_value") is None:  # a change without a test (e.g. cost per incident)
        return _t("change_cell_plain", lang, diff=diff, vs=ch["vs"])
    between = num.interval(ch["low"], ch["high"], unit, lang, digits=digits, signed=True)
    p = num.p_value(ch["p_value"]).removeprefix("p\u00a0")
    return _t("change_cell", lang, diff=diff, interval=between, vs=ch["vs"], p=p)


def _short_titles(lang: str) -> dict[str, str]:
    """Notebook file name → its short name in ``lang`` (the index's ``short:``), for the line of section links."""
    from ..catalog import notebooks

    try:
        return {f"{e.file}.ipynb": e.short_in(lang) for e in notebooks()}
    except (FileNotFoundError, ValueError):
        return {}


def _section_pages(manifest: dict) -> dict[str, str]:
    """Section (notebook id) → its page, for the sections whose page is in this report."""
    from ..catalog import notebooks

    present = {nb["html"] for nb in manifest["notebooks"] if nb.get("html")}
    try:
        return {e.id: f"{e.file}.html" for e in notebooks() if f"{e.file}.html" in present}
    except (FileNotFoundError, ValueError):
        return {}


def _summary(records: list[dict[str, Any]], lang: str, pages: dict[str, str] | None = None) -> str:
    """One row per figure of ``front_page`` (each KPI once): title, period, value, interval, n, change."""
    if not records:
        return f'<p class="meta">{_e(_t("no_headlines", lang))}</p>'
    levels = {r["level"] for r in records}
    one_level = len(levels) == 1
    head = _t("interval", lang, level=levels.pop()) if one_level else _t("col_interval", lang)
    rows = []
    for r in records:
        unit, digits = r["unit"], _digits(r)
        value = num.value(r["value"], unit, lang, digits=digits)
        ci = num.interval(r["low"], r["high"], unit, lang, digits=digits)
        if not one_level and r["low"] is not None:
            ci = _t("interval_at", lang, interval=ci, level=r["level"])
        change = _e(_change(r.get("change"), unit, digits, lang))
        year = r.get("change_year")
        if year and year.get("diff") is not None:  # the same month a year before, where the data has it
            change += "<br>" + _e(_t("change_year_cell", lang, vs=year["vs"],
                                     diff=num.change(year["diff"], unit, lang, digits=digits)))
        warn = _t("small_n_mark", lang, min_n=r.get("min_n", 30)) if r.get("small_n") and r.get("min_n") else ""
        if not r.get("n") and not r.get("missing"):  # nothing to count in the period: not "too few"
            warn = _t("no_data_note", lang)
        if r.get("missing"):  # not computed: say why instead of an empty value
            value, ci, change = "—", "", ""
            warn = _t("not_computed", lang, table=_t(f"table_{r['missing']['table']}", lang),
                      columns=", ".join(r["missing"]["columns"]))
        title = _e(r["title"].get(lang) or r["title"].get("en") or r["kpi"])
        href = (pages or {}).get(r.get("section") or "")
        if href:
            title = f'<a href="{_e(href)}">{title}</a>'
        rows.append(f"<tr id=\"kpi-{_e(r['kpi'])}\"><td>{title}</td><td class=\"nowrap\">{_e(r['period'])}</td>"
                    f"<td class=\"num\">{_e(value)}</td><td class=\"num\">{_e(ci)}</td>"
                    f"<td class=\"num\">{_e(num.number(r['n'], 0))}</td><td>{change}</td>"
                    f"<td class=\"warn\">{_e(warn)}</td></tr>")
    cols = [_t("col_kpi", lang), _t("period", lang), _t("value", lang), head, _t("n", lang),
            _t("col_change", lang), _t("col_note", lang)]
    if all(r.endswith('<td class="warn"></td></tr>') for r in rows):  # no row has a note: no empty column
        rows = [r.removesuffix('<td class="warn"></td></tr>') + "</tr>" for r in rows]
        cols = cols[:-1]
    header = "".join(f"<th>{_e(c)}</th>" for c in cols)
    return f'<div class="scroll"><table class="summary">\n<tr>{header}</tr>\n' + "\n".join(rows) + "\n</table></div>"


def _effects(records: list[dict[str, Any]], lang: str, pages: dict[str, str]) -> str:
    """The registry's actions and what each did to its KPI: the effect with its unit (min, pts) and interval."""
    rows = []
    for r in records:
        unit, digits = r["unit"], _digits(r)
        title = _e(r["title"].get(lang) or r["title"].get("en") or r["kpi"])
        href = pages.get(r.get("section") or "")
        if href:
            title = f'<a href="{_e(href)}">{title}</a>'
        ci = ("" if r.get("low") is None else
              _t("effect_interval", lang, low=num.change(r["low"], unit, lang, digits=digits),
                 high=num.change(r["high"], unit, lang, digits=digits)))
        rows.append(f"<tr id=\"kpi-{_e(r['kpi'])}\"><td>{title}</td>"
                    f"<td class=\"num\">{_e(num.change(r['value'], unit, lang, digits=digits))}"
                    f"</td><td class=\"num\">{_e(ci)}</td></tr>")
    head = "".join(f"<th>{_e(_t(k, lang))}</th>" for k in ("col_action", "col_effect", "col_effect_interval"))
    return f'<div class="scroll"><table class="summary">\n<tr>{head}</tr>\n' + "\n".join(rows) + "\n</table></div>"


def _sections(entries: list[dict[str, Any]], lang: str) -> str:
    rows = []
    for nb in entries:
        status = {"ok": _t("status_ok", lang), "skipped": _t("status_skipped", lang, why=nb.get("skipped") or "")
                  }.get(nb["status"]) or _t("status_failed_short", lang)
        title = _e(nb["title"])
        link = f'<a href="{_e(nb["html"])}">{title}</a>' if nb.get("html") else title
        lists = "<br>".join(f'<a href="{_e(x["file"])}">{_e(_t("list_link", lang, title=x["title"], n=x["rows"]))}'
                            "</a>" for x in nb.get("lists", []))
        notebook = (f'<a href="{_e(nb["notebook"])}">{_e(_t("notebook_link", lang))}</a>' if nb.get("notebook")
                    else "")
        seconds = _e(_t("seconds", lang, s=nb["seconds"])) if nb["status"] != "skipped" else ""
        rows.append(f"<tr><td>{link}</td><td>{_e(status)}</td><td class=\"num\">{seconds}</td>"
                    f"<td>{notebook}</td><td>{lists}</td></tr>")
    cols = [_t("col_section", lang), _t("col_status", lang), _t("col_time", lang), _t("col_notebook", lang),
            _t("col_lists", lang)]
    header = "".join(f"<th>{_e(c)}</th>" for c in cols)
    return f'<div class="scroll"><table class="sections">\n<tr>{header}</tr>\n' + "\n".join(rows) + "\n</table></div>"


def _beyond_noise(ch: dict[str, Any] | None) -> bool:
    return bool(ch) and ch.get("low") is not None and ch.get("high") is not None and (ch["low"] > 0 or ch["high"] < 0)


def _strength(r: dict[str, Any]) -> float:
    """How far a change stands out of its noise: |diff| ÷ half its interval's width (0 without an interval)."""
    ch = r.get("change") or {}
    if ch.get("diff") is None or ch.get("low") is None or ch.get("high") is None or ch["high"] <= ch["low"]:
        return 0.0
    return abs(ch["diff"]) / ((ch["high"] - ch["low"]) / 2)


def _what_changed(records: list[dict[str, Any]], lang: str, *, most: int = 5) -> list[str]:
    """Sentences for the front page's "What changed": the KPIs whose change against the comparison period is
    beyond noise (its interval excludes 0), the clearest first, at most ``most``, each saying whether it is
    better or worse; when none is, one sentence saying so with the largest move and its interval.

    >>> rec = {"kpi": "csat", "title": {"en": "CSAT", "ja": "CSAT"}, "unit": "%", "direction": "higher",
    ...        "value": 58.4, "change": {"vs": "2026-09", "diff": -6.0, "low": -9.0, "high": -3.0, "p_value": 0.01}}
    >>> _what_changed([rec], "en")
    ['CSAT fell to 58.4% against 2026-09 (−6.0 pts; interval −9.0 pts to −3.0 pts): worse.']
    >>> by_team = {"words": {"en": "team Osaka", "ja": "チーム「大阪」"}, "value": 52.0, "diff": -14.0, "low": -20.0,
    ...            "high": -8.0}
    >>> _what_changed([{**rec, "driver": by_team}], "en")[0].split(": worse. ")[1]
    'Most of it came from team Osaka: −14.0 pts (interval −20.0 pts to −8.0 pts), now 52.0%.'
    >>> quiet = {**rec, "change": {**rec["change"], "low": -12.0, "high": 0.5}}
    >>> _what_changed([quiet], "en")[0].startswith("No KPI changed beyond noise against 2026-09")
    True
    """
    rows = [r for r in records if (r.get("change") or {}).get("diff") is not None and r.get("value") is not None]
    moved = sorted((r for r in rows if _beyond_noise(r["change"])), key=_strength, reverse=True)[:most]
    out = []
    for r in moved:
        ch, unit, digits = r["change"], r["unit"], _digits(r)
        up = ch["diff"] > 0
        better = up == (r.get("direction") == "higher")
        text = _t("changed_up" if up else "changed_down", lang, title=r["title"].get(lang) or r["title"]["en"],
                  diff=num.change(ch["diff"], unit, lang, digits=digits),
                  value=num.value(r["value"], unit, lang, digits=digits), vs=ch["vs"],
                  low=num.change(ch["low"], unit, lang, digits=digits),
                  high=num.change(ch["high"], unit, lang, digits=digits),
                  verdict=_t("better" if better else "worse", lang))
        d = r.get("driver")
        if d:  # the group of a breakdown that moved it most
            text += (" " if lang == "en" else "") + _t(
                "changed_driver", lang, group=d["words"].get(lang) or d["words"]["en"],
                diff=num.change(d["diff"], unit, lang, digits=digits), value=num.value(d["value"], unit, lang,
                                                                                      digits=digits),
                low=num.change(d["low"], unit, lang, digits=digits), high=num.change(d["high"], unit, lang,
                                                                                    digits=digits))
        out.append(text)
    if out or not rows:
        return out
    tested = [r for r in rows if r["change"].get("low") is not None]
    if not tested:
        return []
    r = max(tested, key=_strength)
    ch, unit, digits = r["change"], r["unit"], _digits(r)
    return [_t("changed_none", lang, vs=ch["vs"], title=r["title"].get(lang) or r["title"]["en"],
               diff=num.change(ch["diff"], unit, lang, digits=digits),
               low=num.change(ch["low"], unit, lang, digits=digits),
               high=num.change(ch["high"], unit, lang, digits=digits))]


def _what_changed_block(records: list[dict[str, Any]], lang: str) -> str:
    sentences = _what_changed(records, lang)
    if not sentences:
        return ""
    items = "".join(f"<li>{_e(x)}</li>" for x in sentences)
    return f'<h2>{_e(_t("what_changed", lang))}</h2>\n<ul id="what-changed">{items}</ul>\n'


def _what_to_do_block(manifest: dict, lang: str) -> str:
    """The follow-up lists of the sections, with their counts and their CSV files; the sections not run."""
    items = [f'<li><a href="{_e(x["file"])}">{_e(_t("todo_item", lang, title=x["title"], n=x["rows"]))}</a></li>'
             for nb in manifest["notebooks"] for x in nb.get("lists", [])]
    skipped = [_t("skipped_line", lang, title=nb["title"], why=nb.get("skipped") or "")
               for nb in manifest["notebooks"] if nb["status"] == "skipped"]
    out = ""
    if items:
        out += f'<h2>{_e(_t("what_to_do", lang))}</h2>\n<ul id="what-to-do">{"".join(items)}</ul>\n'
    if skipped:
        out += (f'<p class="meta" id="not-run">{_e(_t("not_run_heading", lang))}'
                + "".join(f"<br>{_e(x)}" for x in skipped) + "</p>\n")
    return out


def _shown_path(path: str | os.PathLike, report_dir: Path) -> str:
    """``path`` as seen from the report folder (relative), else its name: never a machine's absolute path."""
    p = Path(path)
    try:
        return Path(os.path.relpath(p, report_dir)).as_posix()
    except ValueError:  # another drive (Windows)
        return p.name


def _title_period(period: str, freq: str, lang: str) -> str:
    """The period as the title shows it: ``2026-10`` in English, ``2026年10月`` in Japanese (others as given).

    >>> [_title_period(p, f, lang) for p, f, lang in (("2026-10", "month", "ja"), ("2026-10", "month", "en"),
    ...                                                 ("2026Q4", "quarter", "ja"))]
    ['2026年10月', '2026-10', '2026Q4']
    """
    if freq == "month" and len(period) == 7 and period[4] == "-" and period[:4].isdigit() and period[5:].isdigit():
        return _t("title_month", lang, year=int(period[:4]), month=int(period[5:]))
    return period


def _local_time(iso: str, tz: str, lang: str) -> str:
    """When the report was made, in the report's time zone: ``2026-12-08 08:05 JST`` / ``2026年12月8日 8:05（JST）``.

    >>> made = "2026-12-07T23:05:09+00:00"
    >>> _local_time(made, "Asia/Tokyo", "ja"), _local_time(made, "UTC", "en")
    ('2026年12月8日 8:05（JST）', '2026-12-07 23:05 UTC')
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    t = datetime.fromisoformat(iso)
    try:
        t = t.astimezone(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        pass
    zone = t.tzname() or tz
    if lang == "ja":
        return f"{t.year}年{t.month}月{t.day}日 {t.hour}:{t.minute:02d}（{zone}）"
    return f"{t:%Y-%m-%d %H:%M} {zone}"


def _index(manifest: dict, report_dir: Path, *, sources: bool = True, scorecard: str = "") -> str:
    p = manifest["parameters"]
    lang, period = p.get("lang", "en"), str(p["period"])
    title = _t("report_title", lang, period=_title_period(period, p.get("freq", "month"), lang))
    colon = _e(_t("colon", lang))
    meta = [f"{_e(_t('data_folder', lang))}{colon}{_e(Path(str(p['data_dir'])).name)}"]  # a name, not a path
    if manifest.get("mapping"):
        meta.append(f"{_e(_t('mapping_file', lang))}{colon}<code>{_e(manifest['mapping']['file'])}</code>")
    if p.get("tz"):
        meta.append(f"{_e(_t('time_zone', lang))}{colon}{_e(p['tz'])}")
    meta.append(f"{_e(_t('period_type', lang))}{colon}{_e(_t(p.get('freq', 'month'), lang))}")
    note = manifest.get("period_note")
    if note:
        meta.append(_e(_t("period_taken", lang, period=period, why=note.get(lang) or note.get("en", ""))))
    made = []  # how it was made: at the foot of the page, for the analyst
    if p.get("engine"):
        made.append(f"{_e(_t('engine', lang))}{colon}{_e(p['engine'])}")
    when = _local_time(manifest["generated_at"], p.get("tz") or "UTC", lang)
    made.append(_e(_t("generated", lang, when=when, version=manifest["versions"].get("csa", "?"))))
    front = manifest.get("front_page")
    if front is None:  # a manifest without a front page (an older report): every record, as published
        front = [{**r, "source": "section"} for nb in manifest["notebooks"] for r in nb.get("records", [])]
    pages = _section_pages(manifest)
    kpis = [r for r in front if r.get("source") == "section"]
    facts = [r for r in front if r.get("source") == "fact" and not str(r.get("kpi", "")).startswith(EFFECT_PREFIX)]
    effects = [r for r in front if r.get("source") == "fact" and str(r.get("kpi", "")).startswith(EFFECT_PREFIX)]
    manifest_link = '<a href="manifest.json">manifest.json</a>'
    note = _e(_t("manifest_note", lang, manifest="\0")).replace("\0", manifest_link)
    failed = "" if manifest.get("ok") else f'<p class="failed">{_e(_t("incomplete", lang))}</p>\n'
    if manifest.get("changed_inputs"):
        changed = _t("inputs_changed", lang, files=", ".join(manifest["changed_inputs"]))
        failed += f'<p class="failed">{_e(changed)}</p>\n'
    heading = "summary_heading_more" if scorecard else "summary_heading"
    more = (f'<h2>{_e(_t("effects_heading", lang))}</h2>\n<div id="action-effects">{_effects(effects, lang, pages)}'
            '</div>\n' if effects else "")
    more += (f'<details class="csa-more"><summary>{_e(_t("facts_heading", lang))}</summary>\n'
             f'{_summary(facts, lang, pages)}\n</details>\n' if facts else "")
    changed = _what_changed_block([r for r in front if r.get("source") in ("scorecard", "section")], lang)
    short = _short_titles(lang)
    links = [f'<a href="{_e(nb["html"])}">{_e(short.get(nb["name"], nb["title"]))}</a>'
             for nb in manifest["notebooks"] if nb.get("html")]
    if links:
        meta_links = (f'<p class="meta" id="section-links">{_e(_t("sections_heading", lang))}{colon}'
                      f'{" · ".join(links)}</p>')
    else:
        meta_links = ""
    body = f"""<h1>{_e(title)}</h1>
<p class="meta">{" · ".join(meta)}</p>
{meta_links}
{failed}{changed}{_what_to_do_block(manifest, lang)}{_scorecard_block(scorecard, lang)}<h2>{_e(_t(heading, lang))}</h2>
{_summary(kpis, lang, pages)}
{more}<details class="csa-more"><summary>{_e(_t("sections_heading", lang))}</summary>
{_sections(manifest["notebooks"], lang)}
</details>
<p class="meta">{" · ".join(made)}. {note}</p>"""
    other = manifest.get("other_language")
    nav = _nav(lang, sources=sources, index=False, other=(other["lang"], other["href"]) if other else None)
    return _page(lang, title, body, nav=nav)


def _scorecard_block(fragment: str, lang: str) -> str:
    """The front page's scorecard (an HTML fragment built and escaped by :mod:`csa.scorecard`)."""
    return f'<h2>{_e(_t("scorecard_heading", lang))}</h2>\n{fragment}\n' if fragment else ""
