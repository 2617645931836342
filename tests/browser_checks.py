"""What a reader sees of a built report, read in a real browser, and the rules it must follow.

:func:`observe` opens every page of a report folder in headless Chromium (a Playwright ``Browser``
passed in) and returns, per page, what a reader meets: console errors, requests that leave the
report folder, images, links, the visible text with ``<details>`` as shipped (folded) and opened,
the widths that overflow at 1280 and 390 px, the height at 1280×800 and, for Japanese pages, the
line-breaking rule of table cells. It imports nothing from Playwright, so this module can be read
(and its doctests run) without a browser.

The ``check_*`` functions take one page's observation and return a list of problems, each a
sentence naming the page, the language and an example of the offending text; an empty list is a
pass. ``tests/test_browser.py`` runs them on the sample report in both languages.

Text rules (applied to ``document.body.innerText``, first as shipped, then with every ``<details>``
open; a problem found only in the opened state is said to be "inside folded details"):

* no code identifiers: snake_case words, names of the package's code (:data:`CODE`);
* no YAML keys or settings: a lowercase ``key:`` at the start of a line, ``key:1`` mappings,
  ``key = "value"`` assignments, ranges written as code, ``12-29..01-03`` (:data:`SETTING`);
* no file paths (:data:`PATH`): ``../``, absolute paths of a machine, ``data/sample``, names of
  notebooks, code and configuration files;
* no notes on how the sample was made (:data:`SAMPLE_NOTE`);
* numbers of 1,000 and more with separators (:func:`unseparated`);
* one minus sign, U+2212 (:func:`wrong_minus`).

The one allow-list (:func:`allowed_file_names`): a link whose text is the name of the report file
it opens (the follow-up lists ``01_nps.detractors.csv``, ``manifest.json``) may show that name; it
is taken out of the text before the rules above run. Nothing else is exempt.
"""

from __future__ import annotations

import os
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WIDTHS = (1280, 390)
HEIGHT = 800  # the laptop screen the heights are measured on
FRONT_MAX = 2400  # px at 1280×800: three screens
SECTION_MAX = 8000  # px at 1280×800, details folded
EXAMPLES = int(os.environ.get("CSA_BROWSER_EXAMPLES") or 4)  # examples quoted per problem (0: all)

# ------------------------------------------------------------------------------------------ text rules

_W = r"A-Za-z0-9_"
#: a snake_case word: lowercase letters and digits joined by underscores (``min_n``, ``00_primer``), not part
#: of a longer token
SNAKE = re.compile(rf"(?<![{_W}])(?=[a-z0-9_]*[a-z])[a-z0-9]+(?:_[a-z0-9]+)+(?![{_W}])")
#: code identifiers: snake_case words and names of this package's code (``csa.KPIS``, ``csa.load``)
CODE = re.compile(SNAKE.pattern + rf"|(?<![{_W}.])csa\.[A-Za-z_][{_W}]*(?:\.[A-Za-z_][{_W}]*)*")
#: settings written as code: ``key:`` at the start of a line (YAML), ``key:1`` (an inline mapping),
#: ``key = "value"`` (a parameter set to a quoted string, a list, a mapping, True/False/None); the key is
#: lowercase ASCII (a sentence's "Note:" is capitalized). A formula in words ("churn = customers lost ÷
#: customers at the start") is not a setting. And a range written as code, ``12-29..01-03``.
SETTING = re.compile(
    r"(?m)^[ \t]*[a-z][a-z0-9_]*:(?=[ \t]|$)"  # YAML key at the start of a line
    rf"|(?<![{_W}/:.])[a-z][a-z0-9_]*:\d+"  # urgent:1
    rf"|(?<![{_W}])[a-z][a-z0-9_]*[ \t]*=[ \t]*(?:[\"'“\[{{]|(?:True|False|None)\b)"  # unit = "customer"
    r"|[\w:/-]*\d\.\.\d[\w:/-]*"  # a range written as code: 12-29..01-03
)
#: file paths and names of files a reader does not open (a notebook, code, configuration, data folder)
PATH = re.compile(
    r"(?:\.\./)+"
    r"|(?<![\w.])(?:/(?:work|tmp|home|root|usr|var|opt|mnt|srv|Users)/)"
    r"|[A-Za-z]:\\"
    r"|\bdata/sample\b"
    r"|(?<![\w/])[\w.-]+\.(?:ipynb|py|ya?ml|parquet|toml)\b"
)
#: how the sample was made: the generator, what it planted, by how much it multiplied
SAMPLE_NOTE = re.compile(
    r"(?i)\b(?:the\s+)?sample(?:\s+data)?\s+(?:was|is|were|has\s+been)\s+(?:generated|simulated|synthesi[sz]ed|made)"
    r"|\bsample\s+generat(?:or|ion)\b"
    r"|\bplanted\b"
    r"|\bmultiplied\s+by\s+\d"
    r"|\bcheck\s+on\s+the\s+sample\b"
    r"|×0\.55(?!\d)"  # the factor the sample's generator applies to one team's response times
    r"|サンプル[^。\n]{0,80}(?:生成され|生成し|作成され|仕込|埋め込)"
    r"|サンプルでの確認"
    r"|仕込"
)
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_RUN = re.compile(r"\d{4,}")


def _is_year(text: str, start: int, end: int) -> bool:
    """Whether the 4-digit run ``text[start:end]`` is a year: 1900–2099 and written as part of a date or
    period (``2026-10``, ``2026/10``, ``2026年``, ``2026Q3``, ``10/2026``; not ``2026.5``) or after a month, an author's
    name or a preposition of time (``October 2026``, ``Efron 1987``, ``since 2024``)."""
    run = text[start:end]
    if len(run) != 4 or not ("1900" <= run <= "2099"):
        return False
    after, before = text[end:end + 3], text[max(0, start - 40):start]
    if re.match(r"[-/]\d|[年度]|[QH][1-4]|FY", after):
        return True
    if re.search(r"\d[-/]$", before):
        return True
    return bool(re.search(rf"(?:\b(?:{_MONTHS})\.?|\b[A-Z][A-Za-z'’-]+(?: et al\.?| and [A-Z][A-Za-z'’-]+)?,?"
                          r"|\b(?:in|since|until|by|from|to|year|of year|FY|fiscal)|[(（]) ?$", before))


def unseparated_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has a number of 1,000 or more written without separators.

    A run of 4 or more digits counts unless it is a year (:func:`_is_year`), the fraction of a decimal
    (``0.00012``), a group of a separated number, a time (``18:03``) or part of an identifier (next to a
    letter, an underscore or ``#``: ``C01539``, ``T-2041``, ``#2041``).

    >>> t = "1,246 tickets; 1246 tickets; ¥12572; −2500 min; 3000件"
    >>> [t[s:e] for s, e in unseparated_spans(t)]
    ['1246', '12572', '2500', '3000']
    >>> unseparated_spans("2026-10, 2026年10月, 2026Q3, October 2026, (Efron 1987), C01539, #2041, p = 0.00012, 18:03")
    []
    >>> t = "Mid-market\\t2043\\t1558"
    >>> [t[s:e] for s, e in unseparated_spans(t)]
    ['2043', '1558']
    """
    found = []
    for m in _RUN.finditer(text):
        s, e = m.span()
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < len(text) else ""
        if prev and (prev in ".,:_" or (prev.isascii() and prev.isalpha())):
            continue  # a fraction, a digit group, a time, an identifier
        if prev == "#" or (prev in "-/" and s >= 2 and text[s - 2].isascii() and text[s - 2].isalnum()):
            continue  # an identifier (#2041, T-2041) or a date's part
        if _is_year(text, s, e):
            continue
        if nxt == "_" or (nxt.isascii() and nxt.isalpha()):
            continue  # an identifier (2041abc)
        found.append((s, e))
    return found


def unseparated(text: str) -> list[str]:
    """Each number of 1,000 or more without separators, marked in its line (:func:`unseparated_spans`)."""
    return [_mark(text, s, e) for s, e in unseparated_spans(text)]


#: a hyphen or a dash standing for a minus: before a digit, not inside a word or a range (``2026-10``,
#: ``4–5``, ``T-2041``); the one minus sign is U+2212
_MINUS = re.compile(r"(?<![A-Za-z0-9_.\-\u2212\u2010-\u2015])[-\u2010\u2012\u2013\u2014\uFE63\uFF0D](?=\d)")


def minus_spans(text: str) -> list[tuple[int, int]]:
    """Where a negative number is written with a hyphen-minus or a dash instead of the minus sign U+2212.

    >>> t = "change -5.0 pts; (−3.2, -1.1); 2026-10; 4–5; T-2041; a\\t-7; 差は–3"
    >>> [t[s:e + 1] for s, e in minus_spans(t)]
    ['-5', '-1', '-7', '–3']
    >>> minus_spans("−22.5 [−28.8, −16.0]")
    []
    """
    return [m.span() for m in _MINUS.finditer(text)]


def wrong_minus(text: str) -> list[str]:
    """Each wrong minus sign, marked in its line (:func:`minus_spans`)."""
    return [_mark(text, s, e + 1) for s, e in minus_spans(text)]


def _line(text: str, start: int, end: int, pad: int = 40) -> str:
    """The match with up to ``pad`` characters of its line either side."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    a, b = max(ls, start - pad), min(le, end + pad)
    return ("…" if a > ls else "") + text[a:b].replace("\t", " | ") + ("…" if b < le else "")


def find(pattern: re.Pattern[str], text: str) -> list[str]:
    """Each match of ``pattern`` in ``text`` with its line around it.

    >>> find(SNAKE, "Groups below min_n are hidden; Top-10 and SHA-256 are words.")
    ['Groups below «min_n» are hidden; Top-10 and SHA-256 are word…']
    >>> SNAKE.findall("see 00_primer, 01_nps.detractors.csv, 10_000, min_n")
    ['00_primer', '01_nps', 'min_n']
    >>> find(CODE, "in the glossary (csa.KPIS); made by csa 0.1.0")
    ['in the glossary («csa.KPIS»); made by csa 0.1.0']
    >>> [bool(SETTING.search(t)) for t in ("owner: Support lead", "Note: the", "targets = urgent:1", "n = 564",
    ...                                    'unit = "customer"', "churn = customers lost ÷ customers", "lower = less",
    ...                                    "09:00-18:00, JP, 12-29..01-03", "1–3 … and more")]
    [True, False, True, False, True, False, False, True, False]
    >>> [bool(PATH.search(t)) for t in ("Data: ../../data/sample", "see 01_nps.ipynb", "registry.yaml", "2026/10")]
    [True, True, True, False]
    >>> [bool(SAMPLE_NOTE.search(t)) for t in ("The sample was generated with", "effect ×0.535", "×0.55 planted",
    ...                                        "サンプルは、FCRが上がるように生成されています")]
    [True, False, True, True]
    """
    return [_mark(text, *m.span()) for m in pattern.finditer(text)]


def _mark(text: str, start: int, end: int) -> str:
    """``text[start:end]`` between « », with the rest of its line around it (up to 40 characters a side)."""
    return _line(text[:start] + "«" + text[start:end] + "»" + text[end:], start, end + 2)


# ------------------------------------------------------------------------------------------ observing


@dataclass
class PageView:
    """One page of a report as the browser showed it."""

    name: str  # file name in the report folder, e.g. "index.html"
    lang: str
    console: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    outside: list[str] = field(default_factory=list)  # requests for anything not in the report folder
    text_closed: str = ""  # innerText, <details> as shipped
    text_open: str = ""  # innerText, every <details> open
    heads_closed: list[str] = field(default_factory=list)  # headings and <summary> lines, in order
    heads_open: list[str] = field(default_factory=list)
    height: int = 0  # px at 1280×800, <details> as shipped
    overflow: dict[str, dict[str, Any]] = field(default_factory=dict)  # "390 px, details opened" → {scrollWidth, …}
    images: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    cells: dict[str, Any] = field(default_factory=dict)  # Japanese pages: table cells' word-break
    what_changed: dict[str, Any] | None = None  # the front page's "what changed" block
    scrolled: list[str] = field(default_factory=list)  # tables wider than their box at 1280 px (they scroll)

    @property
    def where(self) -> str:
        return f"{self.name} ({self.lang})"


_JS_WAIT_IMAGES = """async () => {
  await Promise.all([...document.images].map(i => i.complete ? null :
    new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
}"""

_JS_SCROLLED = """() => {
  const out = [];
  for (const t of document.querySelectorAll('table')) {
    let box = t.parentElement;
    while (box && box !== document.body && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    if (!box || box === document.body) continue;
    if (t.getBoundingClientRect().width > box.clientWidth + 1) {
      const head = [...t.querySelectorAll('th')].map(h => h.innerText.trim()).filter(Boolean).slice(0, 4).join(' | ');
      const w = Math.round(t.getBoundingClientRect().width);
      out.push(`a table of ${w} px in a box of ${box.clientWidth} px: ${head}`);
    }
  }
  return out;
}"""

_JS_OVERFLOW = """() => {
  const W = window.innerWidth, sw = document.documentElement.scrollWidth;
  const out = {scrollWidth: sw, width: W, culprits: []};
  if (sw <= W) return out;
  const describe = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].slice(0, 2).join('.');
    const t = (el.innerText || el.getAttribute('alt') || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return t ? `${s} «${t}»` : s;
  };
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement)
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || r.right <= W + 0.5) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && parent.getBoundingClientRect().right > W + 0.5) continue;
    if (clipped(el)) continue;
    out.culprits.push(`${describe(el)}: ${Math.round(r.width)} px wide, right edge at ${Math.round(r.right)} px`);
    if (out.culprits.length >= 5) break;
  }
  return out;
}"""

_JS_DETAILS = """(open) => {
  const all = [...document.querySelectorAll('details')];
  if (open === null) return all.map(d => d.open);
  all.forEach((d, i) => { d.open = Array.isArray(open) ? open[i] : open; });
  return null;
}"""

_JS_IMAGES = """() => {
  const heads = [...document.querySelectorAll('h1, h2, h3, h4, summary')];
  return [...document.images].map((i, k) => {
    const before = heads.filter(h => h.compareDocumentPosition(i) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
    const src = i.getAttribute('src') || '';
    return {n: k + 1, src: src.startsWith('data:') ? src.slice(0, src.indexOf(',')) : src.slice(0, 80),
            alt: i.getAttribute('alt'), complete: i.complete, naturalWidth: i.naturalWidth,
            near: before ? before.innerText.replace(/¶/g, '').trim().replace(/\\s+/g, ' ').slice(0, 60) : ''};
  });
}"""

_JS_LINKS = """() => [...document.querySelectorAll('[href], [src]')].map(e => {
  const attr = e.hasAttribute('href') ? 'href' : 'src';
  const raw = e.getAttribute(attr);
  return {tag: e.tagName.toLowerCase(), attr, raw: raw.startsWith('data:') ? 'data:…' : raw,
          url: raw.startsWith('data:') ? 'data:' : (e[attr] || raw), text: (e.innerText || '').trim().slice(0, 80)};
})"""

_JS_HEADS = """() => [...document.querySelectorAll('h1, h2, h3, h4, summary')]
  .map(h => h.innerText.replace(/¶/g, '').trim()).filter(t => t)"""

_JS_IDS = """() => [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.getAttribute('name'))"""

_JS_CELLS = """() => {
  const cells = [...document.querySelectorAll('td, th')];
  const bad = cells.filter(c => getComputedStyle(c).wordBreak !== 'keep-all' && c.innerText.trim());
  const say = c => `${getComputedStyle(c).wordBreak}: «${c.innerText.trim().replace(/\\s+/g, ' ').slice(0, 40)}»`;
  return {total: cells.length, bad: bad.length, examples: bad.slice(0, 40).map(say)};
}"""

_JS_WHAT_CHANGED = """() => {
  const el = document.getElementById('what-changed') || document.querySelector('[data-csa="what-changed"]');
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return {text: el.innerText.trim(), visible: r.width > 0 && r.height > 0, tag: el.tagName.toLowerCase()};
}"""


def observe(browser: Any, report: Path, lang: str, shots: Path | None = None) -> dict[str, PageView]:
    """Open every ``*.html`` page of ``report`` in ``browser`` and record what a reader meets.

    The pages are opened from disk (``file://``), as a reader opens a report folder they were sent;
    every request for something that is not a file of the report folder is refused and recorded.
    With ``shots`` (a folder), each page is also saved there as a full-page screenshot at 1280 px,
    details as shipped (``<lang>.<page>.png``), to look at what the checks read.
    """
    report = report.resolve()
    views: dict[str, PageView] = {}
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT}, locale=lang)
    try:
        for path in sorted(report.glob("*.html")):
            views[path.name] = _observe_page(context, path, report, lang, shots)
    finally:
        context.close()
    return views


def _observe_page(context: Any, path: Path, report: Path, lang: str, shots: Path | None) -> PageView:
    view = PageView(path.name, lang)
    page = context.new_page()

    def route(r):
        url = r.request.url
        if url.startswith("data:") or (url.startswith("file:") and _inside(_file_path(url), report)):
            r.continue_()
        else:
            view.outside.append(url[:120])
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and view.console.append(f"console: {m.text[:200]}"))
    page.on("pageerror", lambda e: view.console.append(f"uncaught: {str(e)[:200]}"))
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.evaluate(_JS_WAIT_IMAGES)
        shipped = page.evaluate(_JS_DETAILS, None)
        view.text_closed = page.evaluate("document.body.innerText")
        view.heads_closed = page.evaluate(_JS_HEADS)
        view.height = page.evaluate("document.documentElement.scrollHeight")
        view.what_changed = page.evaluate(_JS_WHAT_CHANGED)
        view.scrolled = page.evaluate(_JS_SCROLLED)
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{lang}.{path.stem}.png"), full_page=True)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            page.evaluate(_JS_DETAILS, shipped)
            view.overflow[f"{width} px, details as shipped"] = page.evaluate(_JS_OVERFLOW)
            page.evaluate(_JS_DETAILS, True)
            view.overflow[f"{width} px, details opened"] = page.evaluate(_JS_OVERFLOW)
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        page.evaluate(_JS_WAIT_IMAGES)  # opened details may hold images
        view.text_open = page.evaluate("document.body.innerText")
        view.heads_open = page.evaluate(_JS_HEADS)
        view.images = page.evaluate(_JS_IMAGES)
        view.links = page.evaluate(_JS_LINKS)
        view.ids = set(page.evaluate(_JS_IDS))
        if lang == "ja":
            view.cells = page.evaluate(_JS_CELLS)
    finally:
        page.close()
    return view


def _file_path(url: str) -> Path:
    parts = urllib.parse.urlsplit(url)
    return Path(urllib.request.url2pathname(parts.path))


def _inside(p: Path, folder: Path) -> bool:
    try:
        p.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------------ checks


def _problem(view: PageView, what: str, examples: list[str], total: int | None = None) -> str:
    total = len(examples) if total is None else total
    most = EXAMPLES or total
    shown = "\n      ".join(examples[:most])
    more = f"\n      … and {total - most} more" if total > most else ""
    return f"{view.where}: {what} ({total}), e.g.\n      {shown}{more}"


def check_console(view: PageView) -> list[str]:
    out = []
    if view.console:
        out.append(_problem(view, "errors in the browser console", view.console))
    if view.outside:
        out.append(_problem(view, "requests for files outside the report folder (the page is not self-contained)",
                            sorted(set(view.outside))))
    return out


#: what nbconvert writes into ``alt`` when an output has no description: not alt text
PLACEHOLDER_ALT = ("No description has been provided for this image",)


def _image(i: dict[str, Any]) -> str:
    return f"image {i['n']} ({i['src']})" + (f" under «{i['near']}»" if i["near"] else "")


def check_images(view: PageView) -> list[str]:
    out = []
    broken = [_image(i) for i in view.images if not i["complete"] or i["naturalWidth"] <= 0]
    if broken:
        out.append(_problem(view, "images that did not load", broken))
    no_alt = [_image(i) + (f", alt «{i['alt']}»" if i["alt"] else "") for i in view.images
              if (i["alt"] or "").strip() in ("", *PLACEHOLDER_ALT)]
    if no_alt:
        out.append(_problem(view, "images without alt text", no_alt))
    return out


def check_links(view: PageView, report: Path, ids: dict[str, set[str]]) -> list[str]:
    """Every link to a file of the report (``href``/``src`` that is not a web address) resolves: the file is
    in the report folder and, for a link to ``#part``, the part is on that page."""
    bad, outside = [], []
    report = report.resolve()
    for link in view.links:
        raw, url = link["raw"], link["url"]
        if url.startswith(("data:", "http:", "https:", "mailto:", "javascript:")):
            continue
        label = f"<{link['tag']} {link['attr']}=\"{raw}\">" + (f" «{link['text']}»" if link["text"] else "")
        if not url.startswith("file:"):
            bad.append(f"{label}: not a link a reader can follow ({url[:60]})")
            continue
        target = _file_path(url)
        raw_fragment = urllib.parse.urlsplit(url).fragment  # a browser tries the id as written, then decoded
        fragment = urllib.parse.unquote(raw_fragment)
        if not _inside(target, report):
            outside.append(f"{label} → {target}")
        elif not target.is_file():
            bad.append(f"{label}: no file {target.name} in the report")
        elif fragment and target.suffix == ".html" and not ({fragment, raw_fragment} & ids.get(target.name, set())):
            bad.append(f"{label}: {target.name} has no #{fragment}")
    out = []
    if bad:
        out.append(_problem(view, "links that do not resolve", bad))
    if outside:
        out.append(_problem(view, "links that leave the report folder (they break when the report is sent on)",
                            outside))
    return out


def check_tables_fit(view: PageView) -> list[str]:
    """Every table fits the page at 1280 px: a column a reader must scroll to (a play, an owner) is easily missed."""
    return [_problem(view, "a table scrolls sideways at 1280 px", view.scrolled)] if view.scrolled else []


def check_overflow(view: PageView) -> list[str]:
    out = []
    for state, o in view.overflow.items():
        if o["scrollWidth"] > o["width"]:
            culprits = o["culprits"] or ["(no single element found: see the page at that width)"]
            out.append(_problem(view, f"wider than the window at {state}: {o['scrollWidth']} px in "
                                      f"{o['width']} px; what sticks out", culprits))
    return out


def allowed_file_names(view: PageView, report: Path) -> set[str]:
    """The one allow-list: names of report files shown as the text of a link that opens that very file."""
    names = set()
    for link in view.links:
        if link["tag"] == "a" and link["url"].startswith("file:"):
            target = _file_path(link["url"])
            if _inside(target, report.resolve()) and target.name in link["text"]:
                names.add(target.name)
    return names


def _without(text: str, names: set[str]) -> str:
    for n in sorted(names, key=len, reverse=True):
        text = text.replace(n, "")
    return text


def _sections(text: str, heads: list[str]) -> list[tuple[int, str]]:
    """Where each heading (or ``<summary>``) starts in ``text``, in order; headings not shown are left out."""
    out, pos = [], 0
    for h in heads:
        at = text.find(h, pos)
        if at >= 0:
            out.append((at, h.split("\n")[0][:60]))
            pos = at + len(h)
    return out


def _under(sections: list[tuple[int, str]], start: int) -> str:
    last = [h for at, h in sections if at <= start]
    return f"  [under «{last[-1]}»]" if last else ""


def _text_problems(view: PageView, what: str, spans, allowed: set[str]) -> list[str]:
    """``spans(text)`` on the text as shipped, then on what only opening the details shows; each example is
    the offending text in its line, and the heading it is under."""
    found = []
    for text, heads in ((view.text_closed, view.heads_closed), (view.text_open, view.heads_open)):
        t = _without(text, allowed)
        sections = _sections(t, heads)
        found.append([(_mark(t, s, e), _under(sections, s)) for s, e in spans(t)])
    shown, opened = found
    seen = {m for m, _ in shown}
    folded = [(m, u) for m, u in opened if m not in seen]
    out = []
    if shown:
        out.append(_problem(view, what, [m + u for m, u in shown]))
    if folded:
        out.append(_problem(view, what + " inside folded details", [m + u for m, u in folded]))
    return out


def _spans(pattern: re.Pattern[str]):
    return lambda text: [m.span() for m in pattern.finditer(text)]


TEXT_RULES = {
    "identifiers": ("code identifiers (snake_case, csa.names) in the visible text", _spans(CODE)),
    "settings": ("YAML keys or parameter settings in the visible text", _spans(SETTING)),
    "paths": ("file paths or file names in the visible text", _spans(PATH)),
    "sample_notes": ("notes on how the sample was made", _spans(SAMPLE_NOTE)),
    "separators": ("numbers of 1,000 or more without separators", unseparated_spans),
    "minus": ("hyphens or dashes as minus signs (use U+2212 −)", lambda t: [(s, e + 1) for s, e in minus_spans(t)]),
    "markdown": ("Markdown emphasis left unrendered (** or __: in Japanese, ** must not close right before a "
                 "letter or digit after 。)", _spans(re.compile(r"\*\*|__"))),
}


def check_text(view: PageView, rule: str, report: Path) -> list[str]:
    what, finder = TEXT_RULES[rule]
    return _text_problems(view, what, finder, allowed_file_names(view, report))


def check_height(view: PageView) -> list[str]:
    limit = FRONT_MAX if view.name == "index.html" else SECTION_MAX
    if view.height > limit:
        kind = "the front page" if view.name == "index.html" else "a section page"
        return [f"{view.where}: {view.height:,} px tall at 1280×800 with details folded; {kind} may be at most "
                f"{limit:,} px"]
    return []


def check_keep_all(view: PageView) -> list[str]:
    c = view.cells
    if not c or not c["bad"]:
        return []
    return [_problem(view, f"Japanese table cells that may break inside a word (word-break is not keep-all, "
                           f"{c['bad']} of {c['total']} cells)", c["examples"], c["bad"])]


def is_section_page(name: str) -> bool:
    return name not in ("index.html", "sources.html")


def check_front_page(view: PageView, report: Path) -> list[str]:
    """The front page links every follow-up list (``*.csv``) of the report, and has a "what changed" block
    (``id="what-changed"``) with at least one sentence, visible without opening anything."""
    out = []
    csvs = sorted(p.name for p in report.glob("*.csv"))
    linked = {_file_path(x["url"]).name for x in view.links if x["tag"] == "a" and x["url"].startswith("file:")}
    if not csvs:
        out.append(f"{view.where}: the report has no follow-up lists (*.csv) to link")
    missing = [c for c in csvs if c not in linked]
    if missing:
        out.append(_problem(view, "follow-up lists (CSV) in the report that the front page does not link", missing))
    wc = view.what_changed
    if wc is None:
        out.append(f'{view.where}: no "what changed" block (an element with id="what-changed")')
    else:
        sentences = [s for s in re.split(r"(?<=[.!?。])\s*|\n", wc["text"]) if len(re.findall(r"\w", s)) >= 10]
        if not wc["visible"]:
            out.append(f'{view.where}: the "what changed" block is not visible as the page opens')
        if not sentences:
            out.append(f'{view.where}: the "what changed" block has no sentence: «{wc["text"][:120]}»')
    return out
