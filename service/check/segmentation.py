"""Splitting Chinese, English and mixed text into sentences and clauses, keeping offsets.

Every span's ``text`` is ``original[start:end]`` (whitespace trimmed), so results can be highlighted
in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A stretch of the original text."""

    start: int
    end: int
    text: str


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_CLOSERS = "\"'”’」』)）]】》"
# A sentence ends at CJK or ASCII terminal punctuation or a line break; an ASCII full stop only when
# followed by whitespace or the end (not in 5.5, v5.3, e.g.), or by a Chinese character in code-switched or
# half-width text ("battery很耐用.充电要5 hours"; not after a list number: "1.充电快").
_SENTENCE_END = re.compile(
    rf"(?:[。！？!?；;…]+|\.(?=\s|$)(?<!\b[A-Za-z]\.)|(?<![\d.])(?<!\b[A-Za-z])\.(?=[\u3400-\u9fff])|\n+)"
    rf"[{re.escape(_CLOSERS)}]*"
)
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "approx", "no", "fig", "min", "max"})
# Clause boundaries: CJK and ASCII commas and colons (not inside numbers like 1,700), and English
# conjunctions that start a new claim. Not "while" before a gerund ("do not use it while driving": the
# condition of its clause), nor a "so" of degree (see _degree_so).
_CLAUSE_BREAK = re.compile(
    r"(?<!\d),|,(?!\d)|[，：:﹐]"
    r"|\s+(?=(?:but|so|although|though|whereas|and then)\b|while\b(?!\s+[a-z]+ing\b))"
    r"|\s+—\s+|\s+-\s+",
    re.IGNORECASE,
)
# "so" is a degree word, not a conjunction, after a linking verb ("it is so light") or before a degree
# word ("so much easier", "so far").
_LINKING_BEFORE = re.compile(
    r"(?:\b(?:is|are|was|were|be|been|being|am|feel|feels|felt|look|looks|seem|seems|get|gets|got|sound|sounds|"
    r"not)|'s|'re|'m)$",
    re.IGNORECASE,
)
_DEGREE_AFTER = re.compile(r"so\s+(?:much|many|far|well|few|little|long|very|damn|freaking)\b", re.IGNORECASE)


def _degree_so(text: str, match: re.Match[str]) -> bool:
    """Whether the break ``match`` is before a "so" of degree."""
    after = text[match.end() :]
    return after[:2].lower() == "so" and bool(
        _DEGREE_AFTER.match(after) or _LINKING_BEFORE.search(text[: match.start()])
    )


_MIN_CJK = 4
_MIN_WORDS = 3


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None


def _is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z.]+)$", text[:dot])
    return word is not None and word.group(1).lower().rstrip(".") in _ABBREVIATIONS


def split_sentences(text: str) -> list[Span]:
    """Sentences of ``text`` in order; empty or whitespace-only input gives ``[]``."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group().startswith(".") and _is_abbreviation(text, match.start()):
            continue
        span = _trimmed(text, start, match.end())
        if span is not None and _has_content(span.text):
            spans.append(span)
        elif span is not None and spans:  # stray punctuation joins the previous sentence
            previous = spans.pop()
            spans.append(Span(previous.start, span.end, text[previous.start : span.end]))
        start = match.end()
    tail = _trimmed(text, start, len(text))
    if tail is not None:
        if _has_content(tail.text) or not spans:
            spans.append(tail)
        else:
            previous = spans.pop()
            spans.append(Span(previous.start, tail.end, text[previous.start : tail.end]))
    return [span for span in spans if _has_content(span.text)]


_ALNUM = re.compile(r"[^\W_]")  # what str.isalnum accepts, found in C


def _has_content(text: str) -> bool:
    return _ALNUM.search(text) is not None


def _size(text: str) -> tuple[int, int]:
    return len(_CJK.findall(text)), len(re.findall(r"[A-Za-z0-9]+", text))


def _long_enough(text: str) -> bool:
    cjk, words = _size(text)
    return cjk >= _MIN_CJK or words >= _MIN_WORDS or (cjk >= 2 and words >= 1)


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_MIN_AND_WORDS = 4


def _split_and(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split at " and " only between two parts long enough to be claims ("30% less sugar and the jar
    holds 1.2 L"), not inside a noun phrase ("lid and pouring spout")."""
    pieces = []
    for match in _AND.finditer(text, start, end):
        left = text[start : match.start()].split()
        right = text[match.end() : end].split()
        if len(left) >= _MIN_AND_WORDS and len(right) >= _MIN_AND_WORDS:
            pieces.append((start, match.start()))
            start = match.start() + 1
    pieces.append((start, end))
    return pieces


def split_clauses(sentence: Span) -> list[Span]:
    """Clauses of a sentence that makes several claims; offsets stay relative to the original text.

    A part too short to be a claim on its own (a leading "so," or "对了,") joins its neighbour."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for match in _CLAUSE_BREAK.finditer(sentence.text):
        if _degree_so(sentence.text, match):
            continue
        pieces.extend(_split_and(sentence.text, start, match.start()))
        start = match.end()
    pieces.extend(_split_and(sentence.text, start, len(sentence.text)))
    clauses: list[tuple[int, int]] = []
    for piece_start, piece_end in pieces:
        text = sentence.text[piece_start:piece_end]
        if not _has_content(text):
            continue
        if clauses and (not _long_enough(text) or not _long_enough(sentence.text[clauses[-1][0] : clauses[-1][1]])):
            clauses[-1] = (clauses[-1][0], piece_end)
        else:
            clauses.append((piece_start, piece_end))
    spans = [_trimmed(sentence.text, s, e) for s, e in clauses]
    result = [
        Span(sentence.start + span.start, sentence.start + span.end, span.text) for span in spans if span is not None
    ]
    return result or [sentence]


def detect_language(text: str) -> str:
    """``zh``, ``en`` or ``mixed`` by the share of CJK characters and Latin letters."""
    cjk = len(_CJK.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    if cjk and latin_words and min(cjk / 2, latin_words) / max(cjk / 2, latin_words) > 0.25:
        return "mixed"
    return "zh" if cjk >= latin_words else "en"
