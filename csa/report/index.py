"""``index.html``: a one-page summary of the headline records, then the sections with their status,
run time, links and lists (and the scorecard, when there is a KPI registry).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .pages import _e, _nav, _page, _t

_MINUS = "\u2212"


def _fmt(x: float | None, *, signed: bool = False, digits: int = 1) -> str:
    """``x`` with ``digits`` decimals, thousands separators and a real minus sign (−12.4, +3.1)."""
    if x is None:
        return "—"
    text = f"{abs(x):,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return (_MINUS if x < 0 else "+" if signed else "") + text


_UNIT_KEYS = {"points": "unit_points", "%": "unit_pct", "minutes": "unit_minutes", "hours": "unit_hours",
              "JPY": "unit_jpy", "count": "unit_count", "score": "unit_score"}


def _with_unit(v: str, unit: str, lang: str, *, change: bool = False) -> str:
    key = "unit_pct_change" if change and unit == "%" else _UNIT_KEYS.get(unit)
    if key == "unit_jpy" and v[:1] in ("+", _MINUS):  # +¥534, not ¥+534
        return v[0] + _t(key, lang, v=v[1:])
    return _t(key, lang, v=v) if key else f"{v} {unit}"


def _p_value(p: float | None) -> str:
    if p is None:
        return "—"
    if p < 0.001:
        return "<\u00a00.001"  # no-break spaces: "p = 0.41" stays on one line
    return f"=\u00a0{p:.3f}" if p < 0.01 else f"=\u00a0{p:.2f}"


def _interval(low, high, *, signed: bool = False, digits: int = 1, unit: str = "", lang: str = "en") -> str:
    """``[low, high]``; money with its sign (``[¥1,200, ¥3,400]``), other units said by the column."""
    if low is None or high is None:
        return "—"
    a, b = _fmt(low, signed=signed, digits=digits), _fmt(high, signed=signed, digits=digits)
    if unit == "JPY":
        a, b = _with_unit(a, unit, lang), _with_unit(b, unit, lang)
    return f"[{a}, {b}]"


#: decimals shown per unit (money and counts are whole; everything else one decimal)
_DIGITS = {"JPY": 0, "count": 0}


def _summary(records: list[dict[str, Any]], lang: str) -> str:
    if not records:
        return f'<p class="meta">{_e(_t("no_headlines", lang))}</p>'
    levels = {r["level"] for r in records}
    one_level = len(levels) == 1
    head = _t("interval", lang, level=levels.pop()) if one_level else _t("col_interval", lang)
    rows = []
    for r in records:
        signed = r["unit"] == "points"
        digits = _DIGITS.get(r["unit"], 1)
        value = "—" if r["value"] is None else _with_unit(_fmt(r["value"], signed=signed, digits=digits), r["unit"],
                                                          lang)
        ci = _interval(r["low"], r["high"], signed=signed, digits=digits, unit=r["unit"], lang=lang)
        if not one_level and r["low"] is not None:
            ci = _t("interval_at", lang, interval=ci, level=r["level"])
        ch = r.get("change")
        if ch is None:
            change = _t("no_comparison", lang)
        else:
            diff = "—" if ch["diff"] is None else _with_unit(_fmt(ch["diff"], signed=True, digits=digits), r["unit"],
                                                            lang, change=True)
            if ch["low"] is None and ch["p_value"] is None:  # a change without a test (e.g. cost per incident)
                change = _t("change_cell_plain", lang, diff=diff, vs=ch["vs"])
            else:
                between = _interval(ch["low"], ch["high"], signed=True, digits=digits, unit=r["unit"], lang=lang)
                change = _t("change_cell", lang, diff=diff, interval=between, vs=ch["vs"],
                            p=_p_value(ch["p_value"]))
        warn = _t("small_n_mark", lang, min_n=r["min_n"]) if r["small_n"] else ""
        title = r["title"].get(lang) or r["title"].get("en") or r["kpi"]
        rows.append(f"<tr><td>{_e(title)}</td><td class=\"nowrap\">{_e(r['period'])}</td>"
                    f"<td class=\"num\">{_e(value)}</td><td class=\"num\">{_e(ci)}</td>"
                    f"<td class=\"num\">{r['n']:,}</td><td>{_e(change)}</td>"
                    f"<td class=\"warn\">{_e(warn)}</td></tr>")
    cols = [_t("col_kpi", lang), _t("period", lang), _t("value", lang), head, _t("n", lang),
            _t("col_change", lang), _t("col_note", lang)]
    header = "".join(f"<th>{_e(c)}</th>" for c in cols)
    return f'<table class="summary">\n<tr>{header}</tr>\n' + "\n".join(rows) + "\n</table>"


def _sections(entries: list[dict[str, Any]], lang: str) -> str:
    rows = []
    for nb in entries:
        ok = nb["status"] == "ok"
        status = _t("status_ok", lang) if ok else _t("status_failed", lang, error=nb.get("error") or "")
        title = _e(nb["title"])
        link = f'<a href="{_e(nb["html"])}">{title}</a>' if nb.get("html") else title
        lists = "<br>".join(f'<a href="{_e(x["file"])}">{_e(_t("list_link", lang, title=x["title"], n=x["rows"]))}'
                            "</a>" for x in nb.get("lists", []))
        rows.append(f"<tr><td>{link}</td><td>{_e(status)}</td>"
                    f"<td class=\"num\">{_e(_t('seconds', lang, s=nb['seconds']))}</td>"
                    f'<td><a href="{_e(nb["notebook"])}">{_e(_t("notebook_link", lang))}</a></td>'
                    f"<td>{lists}</td></tr>")
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
    when = manifest["generated_at"].replace("T", " ").replace("+00:00", "")
    meta.append(_e(_t("generated", lang, when=when, version=manifest["versions"].get("csa", "?"))))
    records = [r for nb in manifest["notebooks"] for r in nb.get("records", [])]
    manifest_link = '<a href="manifest.json">manifest.json</a>'
    note = _e(_t("manifest_note", lang, manifest="\0")).replace("\0", manifest_link)
    failed = "" if manifest.get("ok") else f'<p class="failed">{_e(_t("incomplete", lang))}</p>\n'
    if manifest.get("changed_inputs"):
        changed = _t("inputs_changed", lang, files=", ".join(manifest["changed_inputs"]))
        failed += f'<p class="failed">{_e(changed)}</p>\n'
    body = f"""<h1>{_e(title)}</h1>
<p class="meta">{" · ".join(meta)}</p>
{failed}{_scorecard_block(scorecard, lang)}<h2>{_e(_t("summary_heading", lang))}</h2>
{_summary(records, lang)}
<h2>{_e(_t("sections_heading", lang))}</h2>
{_sections(manifest["notebooks"], lang)}
<p class="meta">{note}</p>"""
    nav = _nav(lang, sources=sources, index=False)
    return _page(lang, title, body, nav=nav)


def _scorecard_block(fragment: str, lang: str) -> str:
    """The front page's scorecard (an HTML fragment built and escaped by :mod:`csa.scorecard`)."""
    return f'<h2>{_e(_t("scorecard_heading", lang))}</h2>\n{fragment}\n' if fragment else ""
