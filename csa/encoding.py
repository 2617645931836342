"""Detect the text encoding of CSV exports as Japanese tools write them."""

from __future__ import annotations

import codecs

__all__ = ["decode", "detect_encoding"]

_CANDIDATES = ("utf-8", "cp932", "euc_jp")


def detect_encoding(raw: bytes) -> str:
    """Name of the encoding ``raw`` is written in.

    Order (see RECIPES.md; charset detection alone mis-reads short cp932 as Korean):
    byte-order mark (UTF-8, UTF-16) → strict UTF-8 → cp932 → EUC-JP → charset-normalizer.
    cp932 is tried before EUC-JP because Windows tools write it far more often; text that
    decodes as both is decoded as cp932 only when it also looks like Japanese in cp932.

    >>> detect_encoding("顧客".encode("cp932"))
    'cp932'
    >>> detect_encoding("顧客".encode("utf-8-sig"))
    'utf-8-sig'
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoded: dict[str, str] = {}
    for enc in _CANDIDATES:
        try:
            decoded[enc] = raw.decode(enc)
        except UnicodeDecodeError:
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
    """``(text, encoding)`` for the bytes of a text file."""
    enc = detect_encoding(raw)
    return raw.decode(enc), enc
