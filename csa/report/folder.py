"""The report folder (``--out``): what may be replaced, one run at a time, atomic publication, leftovers.

*Ownership by content.* ``--out`` is replaced only when it is empty or a report this package
wrote: its ``manifest.json`` carries ``"format": "csa-report"`` and a ``format_version`` this
version reads (:data:`READABLE_VERSIONS`). Anything else is refused with the reason: a file, a
folder without a manifest, a manifest that is not valid JSON or not a JSON object (the message
names the file), another format or a newer version. A report folder holding a file the report
did not write (your notes, ``.ipynb_checkpoints``) or a report file changed since (its SHA-256
differs) is refused too, naming the files: the report never deletes a file it did not write,
so move them elsewhere first. Only the view-state files of file managers (:data:`DISPOSABLE`:
``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) are removed with the folder.

*Atomic publication.* The report is built in a hidden sibling ``.<out>.csa-build-…``; when it is
complete it is swapped with ``--out`` in one step, so that at every instant ``--out`` holds the
complete old report or the complete new one, even if the run is killed:

* on Linux, ``renameat2(RENAME_EXCHANGE)`` (through ``ctypes``) swaps the two folders; ``--out``
  stays a plain folder;
* where that is not available (another system, a file system without it, or
  ``CSA_REPORT_SWAP=symlink``), ``--out`` becomes a symbolic link to a versioned sibling
  ``.<out>.csa-v-…`` and the link is replaced with one atomic ``rename``. Turning an existing plain
  ``--out`` folder into such a link takes two renames: for that one moment ``--out`` is missing
  while the old report sits in ``.<out>.csa-old-…``, which the next run restores if the run was
  killed right then.

The earlier report is then deleted file by file, only the files its manifest lists.

*One run at a time.* A run holds an exclusive lock (``fcntl.flock``) on ``.<out>.csa-lock`` beside
``--out`` from its checks to its end; a second run for the same ``--out`` is refused at once with
the process id of the first. The lock file stays (removing it would race with a starting run).

*Leftovers.* A killed run can leave hidden siblings (the build folder, the kernel connection
files in ``.<out>.csa-run-…``, an old version); the next run removes them, under the lock,
before it starts. SIGINT and SIGTERM end ``csa report`` with one line (exit 130 / 143) after the
same clean-up; the old report stays in place.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..cache import _sha256

__all__ = ["DISPOSABLE", "FORMAT", "FORMAT_VERSION", "READABLE_VERSIONS", "NotAReport", "ReportBusy", "read_report"]


FORMAT, FORMAT_VERSION = "csa-report", 3
#: Manifest versions this version recognises as its own reports (2: no ``files`` list yet).
READABLE_VERSIONS = (2, 3)
#: View-state files of file managers: not user content, removed with a report folder.
DISPOSABLE = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


class NotAReport(ValueError):
    """``--out`` (or ``<out>.failed``) exists and is not a report this package may replace."""


class ReportBusy(ValueError):
    """Another ``csa report`` run holds the lock of the same ``--out``."""


_ADVICE = "choose another --out (csa report never deletes files it did not write)"
_MAX_MANIFEST = 64 << 20


def _plain_name(x: Any) -> bool:
    return isinstance(x, str) and x not in ("", ".", "..") and not any(c in x for c in "/\\\0")


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _owned(m: dict[str, Any], mf: Path) -> dict[str, str | None]:
    """The files a report wrote: ``{name: sha256}`` (``None`` where a version-2 manifest has no hash)."""
    damaged = NotAReport(f"{mf}: the list of the report's files is missing or damaged, so csa cannot tell its "
                         f"files from yours; {_ADVICE}")
    owned: dict[str, str | None] = {"manifest.json": None}
    if m["format_version"] >= 3:
        files = m.get("files")
        if not isinstance(files, list):
            raise damaged
        for f in files:
            if not (isinstance(f, dict) and _plain_name(f.get("name")) and isinstance(f.get("sha256"), str)):
                raise damaged
            owned[f["name"]] = f["sha256"]
        return owned
    entries = m.get("notebooks", [])  # version 2: the names it wrote follow from its entries
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise damaged
    owned.update({"index.html": None, "sources.html": None})
    for e in entries:
        for key in ("notebook", "html", "headline"):
            if e.get(key) is not None:
                if not _plain_name(e[key]):
                    raise damaged
                owned[e[key]] = None
    return owned


def _json_kind(x: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(x), "null")


def read_report(folder: str | os.PathLike) -> dict[str, Any]:
    """The manifest of the report in ``folder``, else :class:`NotAReport` naming the file and the reason."""
    folder = Path(folder)
    mf = folder / "manifest.json"
    if not mf.is_file() or mf.is_symlink():
        raise NotAReport(f"{folder} is not empty and is not a csa report (no manifest.json); {_ADVICE}")
    if mf.stat().st_size > _MAX_MANIFEST:
        raise NotAReport(f"{mf} is too large to be a csa report manifest; {_ADVICE}")
    try:
        m = json.loads(mf.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotAReport(f"{mf} is not valid JSON ({exc}), so {folder} is not taken for a csa report; "
                         f"{_ADVICE}") from None
    if not isinstance(m, dict):
        raise NotAReport(f"{mf} holds a JSON {_json_kind(m)}, not a csa report manifest (a JSON object with "
                         f'"format": "{FORMAT}"); {_ADVICE}')
    if m.get("format") != FORMAT:
        raise NotAReport(f'{mf} has no "format": "{FORMAT}" marker: {folder} is not a csa report; {_ADVICE}')
    v = m.get("format_version")
    if isinstance(v, bool) or v not in READABLE_VERSIONS:
        raise NotAReport(f"{mf}: format_version {v!r} is not one this csa reads "
                         f"({', '.join(map(str, READABLE_VERSIONS))}): a newer csa may have written it; {_ADVICE}")
    _owned(m, mf)
    return m


def _files(folder: Path) -> list[dict[str, Any]]:
    return [{"name": f.name, "bytes": f.stat().st_size, "sha256": _sha256(f)}
            for f in sorted(folder.iterdir()) if f.name != "manifest.json"]


class _Target:
    """A report folder (``--out`` or ``<out>.failed``) and the hidden siblings runs use beside it."""

    KINDS = ("build", "run", "probe", "ready", "old", "v", "link")

    def __init__(self, path: str | os.PathLike) -> None:
        p = Path(os.path.abspath(path))
        if p.name in ("", ".", ".."):
            raise ValueError(f"--out {path}: give a folder name, e.g. reports/2026-10")
        self.path = p.parent.resolve() / p.name  # the parent resolved, never the folder itself (a link)
        self.parent, self.name = self.path.parent, self.path.name
        kinds = "|".join(self.KINDS)
        self._ours = re.compile(rf"\.{re.escape(self.name)}\.csa-({kinds})-\d+-[0-9a-f]{{8}}")
        self._legacy = re.compile(rf"\.{re.escape(self.name)}\.(partial|old)-\d+")  # csa before format 3

    @property
    def lock(self) -> Path:
        return self.parent / f".{self.name}.csa-lock"

    def failed(self) -> _Target:
        return _Target(self.parent / f"{self.name}.failed")

    def sibling(self, kind: str) -> Path:
        return self.parent / f".{self.name}.csa-{kind}-{os.getpid()}-{secrets.token_hex(4)}"

    def is_version(self, name: str) -> bool:
        m = self._ours.fullmatch(name)
        return bool(m) and m[1] == "v"

    def leftovers(self) -> list[tuple[str, Path]]:
        out = []
        for name in sorted(os.listdir(self.parent)):
            m = self._ours.fullmatch(name)
            if m:
                out.append((m[1], self.parent / name))
            elif (m := self._legacy.fullmatch(name)) is not None:
                out.append(("build" if m[1] == "partial" else "old", self.parent / name))
        return out


@dataclass
class _Existing:
    folder: Path
    manifest: dict[str, Any] | None  # None: an empty folder (or a link of ours to nothing)

    @property
    def ok(self) -> bool:
        return bool(self.manifest and self.manifest.get("ok"))


def _inspect(target: _Target) -> _Existing | None:
    """What is at ``target``: nothing (``None``), or something csa may replace; else :class:`NotAReport`."""
    out = target.path
    if out.is_symlink():
        dest = os.readlink(out)
        if not target.is_version(dest):
            raise NotAReport(f"{out} is a symbolic link to {dest}, which csa did not make; give a real folder "
                             f"as --out, or {_ADVICE}")
        folder = target.parent / dest
        if not folder.is_dir():
            return _Existing(folder, None)  # our link to a version already gone: replaceable
    elif not out.exists():
        return None
    elif not out.is_dir():
        raise NotAReport(f"{out} is a file, not a report folder; {_ADVICE}")
    else:
        folder = out
    entries = {c.name for c in folder.iterdir()}
    if not entries - DISPOSABLE:
        return _Existing(folder, None)
    m = read_report(folder)
    owned = _owned(m, folder / "manifest.json")
    extra = sorted(n for n in entries - DISPOSABLE
                   if n not in owned or not (folder / n).is_file() or (folder / n).is_symlink())
    if extra:
        raise NotAReport(f"{out} holds {len(extra)} file(s) that csa did not write: {_names(extra)}. csa report "
                         f"never deletes a file it did not write: move them out of {out} and run again, or choose "
                         "another --out")
    changed = sorted(n for n, h in owned.items() if h and (folder / n).is_file() and _sha256(folder / n) != h)
    if changed:
        raise NotAReport(f"{out}: {_names(changed)} changed after csa wrote it (its SHA-256 differs from the "
                         f"manifest's): copy your version out of {out} and run again, or choose another --out")
    return _Existing(folder, m)


@contextlib.contextmanager
def _locked(target: _Target) -> Iterator[None]:
    """Hold the lock of ``target`` (``.<out>.csa-lock`` beside it); :class:`ReportBusy` if another run has it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            if sys.platform == "win32":  # pragma: no cover
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = ""
            with contextlib.suppress(OSError):
                os.lseek(fd, 0, os.SEEK_SET)
                holder = os.read(fd, 200).decode("utf-8", "replace").strip()
            raise ReportBusy(f"another csa report run is writing {target.path}"
                             + (f" ({holder})" if holder else "")
                             + "; wait for it to finish, or choose another --out") from None
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"pid {os.getpid()}, started {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def _discard(path: Path, target: _Target, say: Callable[[str], None]) -> None:
    """Delete a report csa wrote, file by file (only what its manifest lists, the manifest last), then its folder.

    Whatever is left, a file csa did not write, is kept: the folder is renamed ``<out>.kept-<time>``
    beside ``--out`` and the run says so.
    """
    if path.is_symlink():
        dest = os.readlink(path)
        path.unlink()
        if target.is_version(dest):
            _discard(target.parent / dest, target, say)
        return
    if not path.is_dir():
        path.unlink(missing_ok=True)
        return
    try:
        owned = _owned(read_report(path), path / "manifest.json")
    except NotAReport:  # its manifest is gone already (an interrupted removal): what is left is not known
        owned = {}
    for name in [*(n for n in owned if n != "manifest.json"), *DISPOSABLE, "manifest.json"]:
        f = path / name
        if name in owned or name in DISPOSABLE:
            if f.is_file() or f.is_symlink():
                f.unlink()
    try:
        path.rmdir()
    except OSError:
        if not path.exists():
            return
        kept = target.parent / f"{target.name}.kept-{datetime.now().strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        path.rename(kept)
        left = sorted(c.name for c in kept.iterdir())
        say(f"kept {kept}: it holds file(s) csa did not write ({_names(left)})")


def _remove_failed(failed: _Target, say: Callable[[str], None]) -> None:
    """Remove ``<out>.failed`` (a failed run kept beside an earlier report) once a complete report replaced
    that report: it is stale. Only a report csa wrote is removed (see :func:`_inspect`); anything else stays."""
    if not os.path.lexists(failed.path):
        return
    try:
        _inspect(failed)
    except NotAReport as exc:
        say(f"{failed.path} is left in place ({exc})")
        return
    _discard(failed.path, failed, say)
    if not os.path.lexists(failed.path):
        say(f"removed {failed.path}: the failed run it kept is superseded by this complete report")


def _clean(target: _Target, say: Callable[[str], None]) -> None:
    """Remove what killed runs left beside ``target`` (under its lock); restore a report a run moved away."""
    current = os.readlink(target.path) if target.path.is_symlink() else None
    for kind, path in target.leftovers():
        if kind in ("build", "run", "probe"):  # a partial report, kernel connection files: all written by a run
            shutil.rmtree(path, ignore_errors=True)
            if path.exists():
                raise OSError(f"could not remove {path}, left by an earlier run")
        elif kind == "link":
            path.unlink(missing_ok=True)
        elif kind == "v" and path.name == current:
            continue
        elif kind == "old" and not os.path.lexists(target.path):
            with contextlib.suppress(NotAReport):
                read_report(path)
                path.rename(target.path)  # a run was killed between moving the report away and its successor in
                say(f"restored {target.path} from {path.name}, left by an interrupted run")
                continue
            _discard(path, target, say)
        else:
            _discard(path, target, say)
        if not os.path.lexists(path):
            say(f"removed {path.name}, left by an interrupted run")


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _renameat2():
    """``renameat2`` from the C library (Linux, glibc ≥ 2.28), else ``None``."""
    if not sys.platform.startswith("linux") or os.environ.get("CSA_REPORT_SWAP", "").lower() == "symlink":
        return None
    import ctypes

    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one atomic step; ``False`` where the system or file system cannot."""
    import ctypes

    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _can_exchange(target: _Target) -> bool:
    """Whether the file system of ``target`` swaps folders atomically (tried on two empty folders)."""
    a, b = target.sibling("probe"), target.sibling("probe")
    a.mkdir()
    b.mkdir()
    try:
        return _exchange(a, b)
    finally:
        a.rmdir()
        b.rmdir()


def _publish(ready: Path, target: _Target, say: Callable[[str], None]) -> None:
    """Put the complete report ``ready`` at ``target`` in one atomic step, then delete the one it replaced."""
    out = target.path
    if os.path.lexists(out):
        if _exchange(ready, out):  # ``ready`` now holds the earlier report (or our link to it)
            _discard(ready, target, say)
            return
    elif _can_exchange(target):
        os.rename(ready, out)
        return
    # fallback: --out is a symbolic link to a versioned sibling, replaced with one rename
    version, link = target.sibling("v"), target.sibling("link")
    os.rename(ready, version)
    os.symlink(version.name, link)
    if out.is_symlink() or not os.path.lexists(out):
        before = os.readlink(out) if out.is_symlink() else None
        os.replace(link, out)
        if before and target.is_version(before):
            _discard(target.parent / before, target, say)
    else:  # a plain folder becomes a link: two renames (the next run restores ``old`` if killed between)
        old = target.sibling("old")
        os.rename(out, old)
        os.replace(link, out)
        _discard(old, target, say)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done, then act as they would have."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    before = {s: signal.signal(s, lambda signum, _frame: caught.append(signum))
              for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        if caught:
            signal.raise_signal(caught[0])
