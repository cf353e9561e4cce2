"""Content terms for lexical overlap: English word stems and Chinese character bigrams, figures removed.

The stopwords and the stemmer are those of the lexical encoder (``knowledge_base.lexicons``).

Used to tell which part of a fact a sentence is about ("single charge" vs "with the case") and whether
a negation's scope touches the other side. Embeddings do the semantic work; these only break ties.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable

from knowledge_base.lexicons import chinese_stopwords, stem, stopwords

_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_STOPWORDS = stopwords()
# Stopwords separate terms in a Chinese run: a bigram never straddles them ("果汁|可以" gives no "汁可").
_CJK_SEPARATORS = re.compile("|".join(re.escape(word) for word in chinese_stopwords()))


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


def term_weights(documents: Iterable[str]) -> Callable[[str], float]:
    """Inverse document frequency of each content term over ``documents`` (a knowledge base's own texts), as a
    function: a term most of them use (the product's noun, "works") weighs little, one only a claim or two use
    ("offline", "防水") much, and a term none uses most."""
    frequency: Counter[str] = Counter()
    count = 0
    for document in documents:
        frequency.update(content_terms(document))
        count += 1
    unseen = math.log((count + 1) / 0.5)

    def weight(term: str) -> float:
        found = frequency.get(term)
        return unseen if found is None else math.log((count + 1) / (found + 0.5))

    return weight


def weighted_overlap(a: frozenset[str], b: frozenset[str], weight: Callable[[str], float]) -> float:
    """Share of the weight of terms ``a`` that also occur in ``b`` (0 when ``a`` has none)."""
    total = sum(weight(term) for term in a)
    if total <= 0:
        return 0.0
    return sum(weight(term) for term in a & b) / total


def overlap(a: str, b: str) -> float:
    """Share of ``a``'s content terms that also occur in ``b`` (0 when ``a`` has none)."""
    return terms_overlap(content_terms(a), content_terms(b))


def terms_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the terms ``a`` that also occur in ``b`` (0 when ``a`` has none)."""
    if not a:
        return 0.0
    return len(a & b) / len(a)
