"""``csa report --pdf``: the report's pages printed by a headless Chromium into one PDF a team lead can forward.

Each page (the summary first, then the sections in report order, then the sources) is printed on A4
with the report's print stylesheet (folded details stay folded, charts are never cut) and the pages
are joined into ``csa-report-<period>-<lang>.pdf`` in the report folder. The browser is found as
``CSA_CHROMIUM`` names it, else ``chromium``, ``chromium-browser``, ``google-chrome`` or
``google-chrome-stable`` on the ``PATH``; without one, ``--pdf`` is refused before anything runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

__all__ = ["BROWSERS", "find_chromium", "pdf_name", "write_pdf"]

#: the names a Chromium goes by on the PATH, tried in this order
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_ENV = "CSA_CHROMIUM"


def find_chromium() -> str | None:
    """The Chromium to print with: ``$CSA_CHROMIUM`` when set, else the first of :data:`BROWSERS` on the PATH."""
    given = os.environ.get(_ENV, "").strip()
    if given:
        return shutil.which(given) or (given if Path(given).is_file() else None)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_name(period: str, lang: str) -> str:
    """The PDF's file name, which says what it is when forwarded on its own.

    >>> pdf_name("2026-10", "ja")
    'csa-report-2026-10-ja.pdf'
    """
    return f"csa-report-{period}-{lang}.pdf"


def _print_one(browser: str, page: Path, out: Path) -> None:
    cmd = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
           "--hide-scrollbars", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
           f"--user-data-dir={out.parent / ('profile-' + out.stem)}", f"--print-to-pdf={out}", page.as_uri()]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=180, check=False)
    if not out.is_file() or out.stat().st_size == 0:
        tail = " ".join(done.stderr.strip().splitlines()[-2:])[:300]
        raise RuntimeError(f"{browser} did not print {page.name} (exit {done.returncode}): {tail}")


def write_pdf(folder: Path, pages: list[str], *, period: str, lang: str, browser: str | None = None,
              jobs: int = 2) -> Path:
    """Print ``pages`` (file names in ``folder``, in order) with Chromium and join them into one PDF in ``folder``.

    Returns the PDF's path (:func:`pdf_name`). Raises ``RuntimeError`` naming the page when the browser fails.
    """
    from pypdf import PdfWriter

    browser = browser or find_chromium()
    if browser is None:
        raise RuntimeError("no Chromium found to print the PDF with")
    with tempfile.TemporaryDirectory(prefix="csa-pdf-") as tmp:
        parts = [Path(tmp) / f"{i:03d}.pdf" for i in range(len(pages))]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(lambda ip: _print_one(browser, folder / ip[1], parts[ip[0]]), enumerate(pages)))
        writer = PdfWriter()
        for part in parts:
            writer.append(str(part))
        writer.add_metadata({"/Title": f"csa report {period} ({lang})", "/Creator": "csa report --pdf"})
        out = folder / pdf_name(period, lang)
        with open(out, "wb") as fh:
            writer.write(fh)
    return out
