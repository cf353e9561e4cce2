"""Lexical (sparse) vectors for the ``lexical`` side of hybrid retrieval.

Text becomes tokens, tokens become stable 32-bit ids (CRC-32 of the UTF-8 token, the same in every
process), and a document's weights are a BM25-saturated term frequency; the engine applies IDF at
query time (``Modifier.Idf``), so query weights are 1.0.

Tokens:
- Latin text is NFKC-folded and lowercased; words, numbers and mixed alphanumerics stay whole
  ("5.5", "ipx4", "usb-c"), English words are stemmed and stopwords dropped, with the stemmer and
  stopword lists of ``knowledge_base.lexicons`` that the checker's content terms use too.
- A number also yields a number-with-unit token ("8小时", "1500w", "8h" from "8 hours") so that the
  same quantity matches across "8 h" / "8 hours" / "8h".
- Chinese runs become overlapping character bigrams (default) or rjieba words (``cut`` or
  ``cut_for_search``, which adds the sub-words of long words); ``bench/lexical_tokenizer.py`` compares
  them on the labelled dev sets, lexical-only and in hybrid retrieval.

Why character bigrams by default: they need no dictionary, so brand and model names that a dictionary
does not know still match, and they rank the labelled items as well as the rjieba cuts (the differences
between the modes are within noise) at no cost in speed.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from knowledge_base.lexicons import load_list, stem, stopwords
from knowledge_base.store.base import SparseVector

ChineseMode = Literal["rjieba", "rjieba_search", "bigram", "bigram+unigram"]
CHINESE_MODES: tuple[ChineseMode, ...] = ("rjieba", "rjieba_search", "bigram", "bigram+unigram")
DEFAULT_CHINESE_MODE: ChineseMode = "bigram"

# Han runs, or Latin/number runs (a number may carry a decimal part, words may be hyphenated).
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[.\-+][a-z0-9]+)*%?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NUMBER_WITH_LETTERS = re.compile(r"(\d+(?:\.\d+)?)([a-z]{1,4})")

_STOPWORDS = stopwords()

# Unit aliases: the number-with-unit token uses the canonical spelling.
_EN_UNITS: dict[str, str] = {}
for _line in load_list("knowledge_base.lexicons", "units.txt", "en"):
    _alias, _unit = _line.split()
    _EN_UNITS[_alias] = _unit
_ZH_UNITS = sorted(load_list("knowledge_base.lexicons", "units.txt", "zh"), key=len, reverse=True)


def token_id(token: str) -> int:
    """The stable 32-bit id of a token (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(token.encode("utf-8"))


def _bigrams(run: str, unigrams: bool) -> list[str]:
    if len(run) == 1:
        return [run]
    out = [run[i : i + 2] for i in range(len(run) - 1)]
    if unigrams:
        out.extend(run)
    return out


class LexicalEncoder:
    """Text → ``SparseVector`` for the lexical side of hybrid search.

    ``chinese`` picks the segmentation of Chinese runs; ``k1``/``b``/``avg_len`` are the BM25 term-
    frequency saturation and length normalisation of document weights. The encoder is stateless
    (no corpus statistics): IDF comes from the engine. ``signature`` names the token scheme so a store
    can tell whether its stored lexical vectors were made by the same encoder.
    """

    def __init__(
        self, chinese: ChineseMode = DEFAULT_CHINESE_MODE, k1: float = 1.2, b: float = 0.75, avg_len: float = 12.0
    ) -> None:
        if chinese not in CHINESE_MODES:
            raise ValueError(f"unknown Chinese tokenizer {chinese!r}; expected one of {CHINESE_MODES}")
        self.chinese: ChineseMode = chinese
        self.k1 = k1
        self.b = b
        self.avg_len = avg_len
        self._segment: Callable[[str], list[str]]
        if chinese in ("rjieba", "rjieba_search"):
            import rjieba  # only for these modes: loading its dictionary slows start-up

            self._segment = rjieba.cut if chinese == "rjieba" else rjieba.cut_for_search
        else:
            with_unigrams = chinese == "bigram+unigram"
            self._segment = lambda run: _bigrams(run, with_unigrams)
        self._ids: dict[str, int] = {}

    @property
    def signature(self) -> str:
        """A short name of the token scheme and weighting; changes whenever stored vectors would."""
        return f"lexical-v2:{self.chinese}:k1={self.k1}:b={self.b}:avg={self.avg_len}"

    def tokens(self, text: str) -> list[str]:
        """The tokens of ``text`` in order (stopwords and punctuation dropped, repeats kept)."""
        text = unicodedata.normalize("NFKC", text).lower()
        out: list[str] = []
        pending_number: str | None = None  # a bare number waiting for a unit in the next run
        pending_end = 0
        for match in _RUN.finditer(text):
            run = match.group()
            adjacent = pending_number is not None and text[pending_end : match.start()].strip() == ""
            if run[0] >= "\u3400":  # a Han run
                if adjacent and pending_number is not None:
                    unit = next((u for u in _ZH_UNITS if run.startswith(u)), None)
                    if unit is not None:
                        out.append(pending_number + unit)
                out.extend(t for t in self._segment(run) if t not in _STOPWORDS)
                pending_number = None
                continue
            if adjacent and pending_number is not None and run in _EN_UNITS:
                out.append(pending_number + _EN_UNITS[run])
                pending_number = None
                if len(run) <= 2:  # a bare unit letter ("h", "w") is noise on its own
                    continue
            pending_number = None
            if _NUMBER.fullmatch(run.rstrip("%")):
                out.append(run)
                if run.endswith("%"):
                    out.append(run[:-1])
                else:
                    pending_number, pending_end = run, match.end()
                continue
            letters = _NUMBER_WITH_LETTERS.fullmatch(run)
            if letters is not None:
                number, unit = letters.groups()
                out.append(number)
                out.append(number + _EN_UNITS.get(unit, unit))
                continue
            if run in _STOPWORDS:
                continue
            out.append(stem(run))
            if "-" in run:
                out.extend(part for part in run.split("-") if len(part) > 1 and part not in _STOPWORDS)
        return out

    def _id(self, token: str) -> int:
        found = self._ids.get(token)
        if found is None:
            found = token_id(token)
            if len(self._ids) < 500_000:
                self._ids[token] = found
        return found

    def _counts(self, text: str) -> Counter[int]:
        return Counter(self._id(t) for t in self.tokens(text))

    def encode_document(self, text: str) -> SparseVector:
        """The document vector: BM25-saturated term frequencies (IDF is applied by the engine)."""
        counts = self._counts(text)
        length = sum(counts.values())
        norm = self.k1 * (1.0 - self.b + self.b * length / self.avg_len)
        indices = sorted(counts)
        values = [counts[i] * (self.k1 + 1.0) / (counts[i] + norm) for i in indices]
        return SparseVector(indices, values)

    def encode_query(self, text: str) -> SparseVector:
        """The query vector: 1.0 for every distinct token."""
        indices = sorted(self._counts(text))
        return SparseVector(indices, [1.0] * len(indices))

    def encode_documents(self, texts: Iterable[str]) -> list[SparseVector]:
        """``encode_document`` for each text."""
        return [self.encode_document(t) for t in texts]

    def encode_queries(self, texts: Sequence[str]) -> list[SparseVector]:
        """``encode_query`` for each text."""
        return [self.encode_query(t) for t in texts]
