"""Detect the text encoding of CSV exports (and mapping files) as Japanese tools write them."""

from __future__ import annotations

import codecs

__all__ = ["MixedEncodingError", "decode", "detect_encoding", "encoding_name"]

_CANDIDATES = ("utf-8", "cp932", "euc_jp")
_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp932": "cp932 (Shift_JIS)", "euc_jp": "EUC-JP",
          "utf-16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}


def encoding_name(enc: str) -> str:
    """The name people know an encoding by (``cp932`` → ``cp932 (Shift_JIS)``)."""
    return _NAMES.get(enc, enc)


class MixedEncodingError(UnicodeError):
    """The lines of one file are written in two encodings (e.g. a UTF-8 row pasted into a cp932 file).

    ``encoding`` is the encoding of most lines, ``other`` that of the others; ``lines`` are the
    1-based line numbers of the other lines and ``examples`` a few of them, decoded in ``other``.
    """

    def __init__(self, encoding: str, other: str, lines: list[int], examples: list[str]) -> None:
        self.encoding, self.other, self.lines, self.examples = encoding, other, lines, examples
        n = len(lines)
        super().__init__(f"most lines are {encoding_name(encoding)} but {n} line{'s are' if n != 1 else ' is'} "
                         f"{encoding_name(other)}")


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte is NUL, as in UTF-16 text saved without a BOM."""
    if len(raw) < 4:
        return None
    for enc, zeros in (("utf-16-le", raw[1::2]), ("utf-16-be", raw[0::2])):
        if zeros.count(0) > 0.4 * len(zeros):
            try:
                raw.decode(enc)
            except UnicodeDecodeError:
                continue
            return enc
    return None


def _mixed(raw: bytes, start: int = 0) -> MixedEncodingError | None:
    """The lines of ``raw`` that are UTF-8 (with kana/kanji) and those that are not, if both occur."""
    utf8, other = [], []
    for i, line in enumerate(raw[start:].split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(i)
            continue
        if any(ord(ch) >= 0x800 for ch in text):  # two-byte UTF-8 can be cp932 half-width kana
            utf8.append(i)
    if not (utf8 and other):
        return None
    lines = raw[start:].split(b"\n")
    minority, is_utf8 = (utf8, True) if len(utf8) <= len(other) else (other, False)
    other_raw = b"\n".join(lines[i - 1] for i in other)
    try:
        other_enc = detect_encoding(other_raw)
    except UnicodeError:
        other_enc = "unknown"
    main, second = ("utf-8", other_enc) if not is_utf8 else (other_enc, "utf-8")
    examples = []
    for i in minority[:3]:
        try:
            examples.append(lines[i - 1].decode(second).strip("\r"))
        except (UnicodeDecodeError, LookupError):
            examples.append(lines[i - 1].decode("utf-8", "replace").strip("\r"))
    return MixedEncodingError(main, second, minority, examples)


def detect_encoding(raw: bytes) -> str:
    """Name of the encoding ``raw`` is written in.

    Order (see RECIPES.md; charset detection alone mis-reads short cp932 as Korean):
    byte-order mark (UTF-8, UTF-16) → UTF-16 without a mark (every other byte NUL) → strict
    UTF-8 → cp932 → EUC-JP → charset-normalizer. cp932 is tried before EUC-JP because Windows
    tools write it far more often; text that decodes as both is decoded as cp932 only when it
    also looks like Japanese in cp932.

    Raises :class:`MixedEncodingError` when some lines are UTF-8 and others are not (one file
    pieced together from two exports), and :class:`UnicodeError` when nothing fits.

    >>> detect_encoding("顧客".encode("cp932"))
    'cp932'
    >>> detect_encoding("顧客".encode("utf-8-sig"))
    'utf-8-sig'
    >>> detect_encoding("顧客\\n".encode("cp932") + "顧客\\n".encode("utf-8"))
    Traceback (most recent call last):
    csa.encoding.MixedEncodingError: most lines are cp932 (Shift_JIS) but 1 line is UTF-8
    """
    if raw.startswith(codecs.BOM_UTF8):
        try:
            raw[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise _mixed(raw, 3) or UnicodeError("not UTF-8 despite its byte-order mark") from None
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in raw:
        enc = _utf16_without_bom(raw)
        if enc:
            return enc
    decoded: dict[str, str] = {}
    for enc in _CANDIDATES:
        try:
            decoded[enc] = raw.decode(enc)
        except UnicodeDecodeError:
            if enc == "utf-8":
                mixed = _mixed(raw)
                if mixed:
                    raise mixed from None
            continue
        if enc == "utf-8":
            return enc
    if "cp932" in decoded and "euc_jp" in decoded:
        # Both decode: prefer the one whose text has fewer half-width katakana, which are
        # rare in real exports but what EUC-JP bytes read as cp932 typically turn into.
        def odd(text: str) -> int:
            return sum(0xFF61 <= ord(ch) <= 0xFF9F for ch in text)

        return "euc_jp" if odd(decoded["euc_jp"]) < odd(decoded["cp932"]) else "cp932"
    if decoded:
        return next(iter(decoded))
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise UnicodeError("the encoding could not be detected")
    return best.encoding


def decode(raw: bytes) -> tuple[str, str]:
    """``(text, encoding)`` for the bytes of a text file (errors as :func:`detect_encoding`)."""
    enc = detect_encoding(raw)
    try:
        return raw.decode(enc), enc
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnicodeError(f"the text is not valid {encoding_name(enc)}") from exc
