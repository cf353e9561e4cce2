"""Content terms for lexical overlap: English word stems and Chinese character bigrams, figures removed.

The stopwords and the stemmer are those of the lexical encoder (``knowledge_base.lexicons``).

Used to tell which part of a fact a sentence is about ("single charge" vs "with the case") and whether
a negation's scope touches the other side. Embeddings do the semantic work; these only break ties.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge_base.lexicons import chinese_stopwords, stem, stopwords

_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_STOPWORDS = stopwords()
# Stopwords separate terms in a Chinese run: a bigram never straddles them ("果汁|可以" gives no "汁可").
_CJK_SEPARATORS = re.compile("|".join(re.escape(word) for word in chinese_stopwords()))


@lru_cache(maxsize=65536)
def content_terms(text: str) -> frozenset[str]:
    """Stemmed English content words plus Chinese character bigrams (single characters for 1-char runs)."""
    lowered = text.lower()
    terms = {stem(word) for word in _LATIN_WORD.findall(lowered) if word not in _STOPWORDS and len(word) > 1}
    for run in _CJK_RUN.findall(lowered):
        for piece in _CJK_SEPARATORS.split(run):
            if len(piece) == 1:
                terms.add(piece)
            terms.update(piece[i : i + 2] for i in range(len(piece) - 1))
    return frozenset(terms)


def shares_term(a: str, b: str) -> bool:
    """Whether two texts share a content term."""
    return bool(content_terms(a) & content_terms(b))


def overlap(a: str, b: str) -> float:
    """Share of ``a``'s content terms that also occur in ``b`` (0 when ``a`` has none)."""
    terms_a = content_terms(a)
    if not terms_a:
        return 0.0
    return len(terms_a & content_terms(b)) / len(terms_a)
