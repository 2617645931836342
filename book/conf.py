"""Sphinx configuration of the handbook as a website (``make book``; ``book/build.py`` runs it).

Why Sphinx + myst-nb + sphinx-book-theme: everything installs from PyPI and the built site needs
nothing from the network. The theme ships its icons and styles inside the wheel, the search index
is written at build time (Japanese words are segmented by Sphinx's bundled TinySegmenter), fonts
are the reader's system fonts, and the notebooks are read as they are committed, outputs included
(``nb_execution_mode = "off"``). Jupyter Book 2 (mystmd) was not chosen: it downloads its site
template at build time, which these machines and CI cannot do.

One configuration builds both languages: ``book/build.py`` stages a source tree per language
(``build/book/_src/<lang>``) and passes ``-D language=<lang>``.
"""

from __future__ import annotations

project = "csa"
author = "csa contributors"
copyright = "csa contributors"
language = "en"  # -D language=ja for the Japanese book

extensions = ["myst_nb"]
myst_enable_extensions = ["colon_fence", "deflist", "html_admonition"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # the committed, executed notebooks: never re-run to build
nb_merge_streams = True
nb_render_markdown_format = "myst"  # markdown printed by the code (the headline table) rendered with its tables
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]

templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_theme = "sphinx_book_theme"
html_title = "csa"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "search_bar_text": "Search / 検索",
}
html_sidebars = {"**": ["navbar-logo.html", "lang-switch.html", "search-button-field.html", "sbt-sidebar-nav.html"]}
# no web fonts and no analytics: the pages load nothing from outside the site
html_context = {"default_mode": "light"}


# --- search that finds Japanese words ------------------------------------------------------------
# Sphinx's Japanese search splits the pages into words with TinySegmenter but leaves the reader's
# query unsplit in the browser, so "解約率" (indexed as 解約 + 率) finds nothing. Both sides here cut a
# run of Japanese characters into overlapping pairs (解約率 -> 解約, 約率), as CJK search engines do,
# and a page matches when it holds every pair of the query.
import re  # noqa: E402

from sphinx.search.ja import SearchJapanese  # noqa: E402

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_RUN = re.compile(f"[{_CJK}]+|[^{_CJK}]+")


def cjk_terms(text: str) -> list[str]:
    """The search terms of ``text``: Latin words whole, each run of Japanese characters as overlapping pairs."""
    out: list[str] = []
    for word in re.findall(r"\w+", text):
        for run in _RUN.findall(word):
            if re.match(f"[{_CJK}]", run) and len(run) > 1:
                out += [run[i:i + 2] for i in range(len(run) - 1)]
            else:
                out.append(run)
    return out


class SearchJapanesePairs(SearchJapanese):
    js_splitter_code = """
splitQuery = (query) => {
  const cjk = "CJK";
  const run = new RegExp("[" + cjk + "]+|[^" + cjk + "]+", "gu");
  const out = [];
  for (const word of query.split(/[^\\p{Letter}\\p{Number}_]+/u)) {
    for (const part of word.match(run) || []) {
      if (new RegExp("^[" + cjk + "]").test(part) && part.length > 1) {
        for (let i = 0; i < part.length - 1; i++) out.push(part.slice(i, i + 2));
      } else if (part) out.push(part);
    }
  }
  return out;
};
""".replace("CJK", _CJK.encode("unicode_escape").decode().replace("\\", "\\\\"))

    def split(self, input: str) -> list[str]:
        return cjk_terms(input)


# naming the splitter here makes Sphinx re-index every page when it changes
html_search_options = {"splitter": "japanese-pairs-1"}


def setup(app):
    app.add_search_language(SearchJapanesePairs)
