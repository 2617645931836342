"""Survey response exports (Google Forms CSV, Microsoft Forms Excel) → survey answers.

What a form cannot say — which survey it is, which question is scored, where it was sent — comes
from the file's ``surveys`` entry in the import config. The answer time is Google Forms'
タイムスタンプ / Timestamp (``2026/10/31 11:58:03 午後 GMT+9``: the offset is honoured) or Microsoft
Forms' completion time (no offset: read in the business time zone). A score is the number a cell
starts with (``10``, ``１０``, ``10 - 非常に可能性が高い``); a blank score is an answer without a score:
left out and counted. The respondent's company comes from a column such as 会社名 / Company, the
e-mail from the form's e-mail column; both are used to link the answer to a customer.

>>> score_of("１０ - 非常にそう思う"), score_of(" 7"), score_of("")
(10, 7, None)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .config import SurveySpec
from .detect import Layout
from .errors import ImportRefused
from .text import RawTable, header_key, parse_times

__all__ = ["FormAnswers", "read_form", "score_of"]

_COMPANY = ("会社名", "企業名", "貴社名", "御社名", "会社", "法人名", "所属企業", "company", "company name",
            "organization", "organisation", "組織名")
_LOW = {"nps": 0, "csat": 1, "ces": 1}
_USUAL_TOP = {"nps": 10, "csat": 5, "ces": 7}
_COMMENT = re.compile(r"理由|コメント|ご意見|ご要望|自由|感想|comment|reason|feedback|why", re.IGNORECASE)


def score_of(text: str) -> int | None:
    """The whole number a cell starts with; ``None`` for a blank cell; ``ValueError`` otherwise."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if not s:
        return None
    m = re.match(r"^(\d{1,2})(?!\d|\.\d)", s)
    if m is None:
        raise ValueError(text)
    return int(m[1])


def _find(raw: RawTable, text: str, what: str, spec: SurveySpec, source: str) -> str:
    """The header equal to ``text``, or the one header containing it."""
    want = header_key(text)
    exact = [h for h in raw.header if header_key(h) == want]
    if exact:
        return exact[0]
    part = [h for h in raw.header if want and want in header_key(h)]
    if len(part) == 1:
        return part[0]
    cols = "\n".join(f"    - {h}" for h in raw.header)
    how = "several columns contain it" if part else "no column contains it"
    raise ImportRefused(f"{source}: the {what} {text!r} of the survey entry for {spec.file}: {how}. Fix: give the "
                        f"header text, or a part of it found in one column only; the columns are:\n{cols}")


@dataclass
class FormAnswers:
    """``answers``: ``response_id``, ``survey``, ``touchpoint``, ``responded_at``, ``score``, ``scale``,
    ``comment`` and link keys ``_company``, ``_email``, ``_row``; ``counts``: rows not written and why."""

    file: str
    answers: pd.DataFrame
    question: str
    counts: Counter = field(default_factory=Counter)
    latest: pd.Timestamp | None = None
    comment: str | None = None


def read_form(raw: RawTable, layout: Layout, where: dict[str, str], spec: SurveySpec, tz: str,
              source: str) -> FormAnswers:
    df = raw.frame()
    file = raw.name
    question = _find(raw, spec.question, "question", spec, source)
    when_col = where["timestamp"] if layout.key == "google_forms" else where["completion"]
    when = pd.Series(parse_times(df[when_col].tolist(), tz, assume=tz, file=file, column=when_col), index=df.index,
                     dtype=object)
    if when.isna().any():
        n = when.index[when.isna()][0]
        raise ImportRefused(f"{file}, column '{when_col}', row {n}: the answer time is empty. Fix: download the "
                            "responses again")
    scores, bad = [], []
    for n, v in df[question].items():
        try:
            scores.append(score_of(v))
        except ValueError:
            scores.append(None)
            bad.append((n, v))
    low, high = _LOW[spec.survey], spec.scale
    out_of = [(n, s) for n, s in zip(df.index, scores) if s is not None and not low <= s <= high]
    if bad or out_of:
        n, v = (bad or out_of)[0]
        raise ImportRefused(f"{file}, column '{question}': {len(bad) + len(out_of)} answer(s) are not a score from "
                            f"{low} to {high} (e.g. row {n}: {v!r}). Fix: check that the survey entry names the "
                            f"scored question and its scale (survey: {spec.survey}, scale: {high})")
    score = pd.Series(scores, index=df.index, dtype=object)
    header_keys = {header_key(h): h for h in raw.header}
    tp_col = header_keys.get(header_key(spec.touchpoint))
    touch = df[tp_col].astype(str).str.strip() if tp_col else pd.Series(spec.touchpoint, index=df.index)
    company_col = (_find(raw, spec.company, "company column", spec, source) if spec.company else
                   next((header_keys[header_key(c)] for c in _COMPANY if header_key(c) in header_keys), None))
    email_col = _find(raw, spec.email, "e-mail column", spec, source) if spec.email else where.get("email")
    if spec.comment:
        comment_col = _find(raw, spec.comment, "comment column", spec, source)
    else:  # one free-text column whose header reads like a comment (理由, ご意見, Comment, …)
        cands = [h for h in raw.header if h not in (question, when_col, company_col, email_col, tp_col)
                 and _COMMENT.search(unicodedata.normalize("NFKC", h))]
        comment_col = cands[0] if len(cands) == 1 else None
    tag = hashlib.sha1(unicodedata.normalize("NFC", file).encode()).hexdigest()[:6]
    ids = (df[where["id"]].astype(str).str.strip() if layout.key == "microsoft_forms"
           else pd.Series([str(n) for n in df.index], index=df.index))
    ids = ids.map(lambda i: i.zfill(6) if i.isdigit() else i)
    keep = score.notna()
    counts = Counter({"blank score": int((~keep).sum())} if (~keep).any() else {})
    answers = pd.DataFrame({
        "response_id": [f"F{tag}-{i}" for i in ids[keep]],
        "survey": spec.survey, "touchpoint": touch[keep].values, "responded_at": when[keep].values,
        "score": score[keep].astype(int).values,
        "scale": None if high == _USUAL_TOP[spec.survey] else high,
        "comment": (df.loc[keep, comment_col].map(lambda v: v.strip() or None).values if comment_col else None),
        "_company": (df.loc[keep, company_col].map(lambda v: v.strip() or None).values if company_col else None),
        "_email": (df.loc[keep, email_col].map(lambda v: v.strip() or None).values if email_col else None),
        "_row": df.index[keep],
    })
    if (answers["touchpoint"] == "").any():
        n = answers.loc[answers["touchpoint"] == "", "_row"].iloc[0]
        raise ImportRefused(f"{file}, column '{tp_col}', row {n}: the touchpoint is empty. Fix: fill it in, or give "
                            "one touchpoint for the whole file in the survey entry (touchpoint: relationship)")
    return FormAnswers(file, answers, question, counts, when.max(), comment_col)
