"""What a problem shows of what it found: its rows (as numbered in the file), at most
:data:`N_EXAMPLES` example values, text cut short and spreadsheet column letters.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["N_EXAMPLES"]


N_EXAMPLES = 3


def _letter(j: int) -> str:
    """Spreadsheet column letter of the 0-based column ``j`` (0 → A, 26 → AA)."""
    out, j = "", j + 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _rownums(index: pd.Index) -> list[int]:
    return [int(i) + 2 for i in index[:N_EXAMPLES]]


def _examples(s: pd.Series, mask: pd.Series) -> tuple[int, list[int], list[object]]:
    bad = s[mask]
    return int(mask.sum()), _rownums(bad.index), [v for v in bad.iloc[:N_EXAMPLES].tolist()]
