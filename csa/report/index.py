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
        change = _change(r.get("change"), unit, digits, lang)
        warn = _t("small_n_mark", lang, min_n=r.get("min_n", 30)) if r.get("small_n") and r.get("min_n") else ""
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
                    f"<td class=\"num\">{_e(num.number(r['n'], 0))}</td><td>{_e(change)}</td>"
                    f"<td class=\"warn\">{_e(warn)}</td></tr>")
    cols = [_t("col_kpi", lang), _t("period", lang), _t("value", lang), head, _t("n", lang),
            _t("col_change", lang), _t("col_note", lang)]
    header = "".join(f"<th>{_e(c)}</th>" for c in cols)
    return f'<table class="summary">\n<tr>{header}</tr>\n' + "\n".join(rows) + "\n</table>"


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
    return f'<table class="sections">\n<tr>{header}</tr>\n' + "\n".join(rows) + "\n</table>"


def _shown_path(path: str | os.PathLike, report_dir: Path) -> str:
    """``path`` as seen from the report folder (relative), else its name: never a machine's absolute path."""
    p = Path(path)
    try:
        return Path(os.path.relpath(p, report_dir)).as_posix()
    except ValueError:  # another drive (Windows)
        return p.name


def _index(manifest: dict, report_dir: Path, *, sources: bool = True, scorecard: str = "") -> str:
    p = manifest["parameters"]
    lang, period = p.get("lang", "en"), str(p["period"])
    title = _t("report_title", lang, period=period)
    colon = _e(_t("colon", lang))
    meta = [f"{_e(_t('data_folder', lang))}{colon}<code>{_e(_shown_path(p['data_dir'], report_dir))}</code>"]
    if manifest.get("mapping"):
        meta.append(f"{_e(_t('mapping_file', lang))}{colon}<code>{_e(manifest['mapping']['file'])}</code>")
    if p.get("tz"):
        meta.append(f"{_e(_t('time_zone', lang))}{colon}{_e(p['tz'])}")
    if p.get("engine"):
        meta.append(f"{_e(_t('engine', lang))}{colon}{_e(p['engine'])}")
    meta.append(f"{_e(_t('period_type', lang))}{colon}{_e(_t(p.get('freq', 'month'), lang))}")
    note = manifest.get("period_note")
    if note:
        meta.append(_e(_t("period_taken", lang, period=period, why=note.get(lang) or note.get("en", ""))))
    when = manifest["generated_at"].replace("T", " ").replace("+00:00", "")
    meta.append(_e(_t("generated", lang, when=when, version=manifest["versions"].get("csa", "?"))))
    front = manifest.get("front_page")
    if front is None:  # a manifest without a front page (an older report): every record, as published
        front = [{**r, "source": "section"} for nb in manifest["notebooks"] for r in nb.get("records", [])]
    pages = _section_pages(manifest)
    kpis = [r for r in front if r.get("source") == "section"]
    facts = [r for r in front if r.get("source") == "fact"]
    manifest_link = '<a href="manifest.json">manifest.json</a>'
    note = _e(_t("manifest_note", lang, manifest="\0")).replace("\0", manifest_link)
    failed = "" if manifest.get("ok") else f'<p class="failed">{_e(_t("incomplete", lang))}</p>\n'
    if manifest.get("changed_inputs"):
        changed = _t("inputs_changed", lang, files=", ".join(manifest["changed_inputs"]))
        failed += f'<p class="failed">{_e(changed)}</p>\n'
    heading = "summary_heading_more" if scorecard else "summary_heading"
    more = (f'<h2>{_e(_t("facts_heading", lang))}</h2>\n{_summary(facts, lang, pages)}\n' if facts else "")
    body = f"""<h1>{_e(title)}</h1>
<p class="meta">{" · ".join(meta)}</p>
{failed}{_scorecard_block(scorecard, lang)}<h2>{_e(_t(heading, lang))}</h2>
{_summary(kpis, lang, pages)}
{more}<h2>{_e(_t("sections_heading", lang))}</h2>
{_sections(manifest["notebooks"], lang)}
<p class="meta">{note}</p>"""
    nav = _nav(lang, sources=sources, index=False)
    return _page(lang, title, body, nav=nav)


def _scorecard_block(fragment: str, lang: str) -> str:
    """The front page's scorecard (an HTML fragment built and escaped by :mod:`csa.scorecard`)."""
    return f'<h2>{_e(_t("scorecard_heading", lang))}</h2>\n{fragment}\n' if fragment else ""
