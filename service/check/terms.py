"""Content terms for lexical overlap: English word stems and Chinese character bigrams, figures removed.

Used to tell which part of a fact a sentence is about ("single charge" vs "with the case") and whether
a negation's scope touches the other side. Embeddings do the semantic work; these only break ties.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "and",
        "or",
        "but",
        "so",
        "as",
        "if",
        "then",
        "than",
        "too",
        "very",
        "just",
        "also",
        "only",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "they",
        "them",
        "their",
        "his",
        "her",
        "do",
        "does",
        "did",
        "done",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "shall",
        "not",
        "no",
        "never",
        "don't",
        "doesn't",
        "isn't",
        "aren't",
        "won't",
        "can't",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "how",
        "when",
        "where",
        "why",
        "all",
        "any",
        "some",
        "more",
        "most",
        "up",
        "out",
        "about",
        "into",
        "over",
        "under",
        "again",
        "once",
        "get",
        "got",
        "goes",
        "go",
        "going",
        "make",
        "makes",
        "made",
        "one",
        "take",
        "takes",
        "took",
        "need",
        "needs",
        "needed",
        "use",
        "uses",
        "used",
        "really",
        "just",
        "like",
        "lot",
    ]
)
_CJK_STOP = frozenset("的了是在也和就都还很有这那个把被着吧吗呢啊呀哦")
_CJK_STOP_BIGRAM_LIST = [
    "可以",
    "能够",
    "可能",
    "就是",
    "还是",
    "一个",
    "这个",
    "那个",
    "非常",
    "特别",
    "真的",
    "已经",
    "因为",
    "所以",
    "但是",
    "不过",
    "如果",
    "时候",
    "我们",
    "你们",
    "他们",
    "自己",
    "什么",
    "怎么",
    "觉得",
    "感觉",
    "一下",
    "一样",
    "一直",
    "直接",
    "然后",
    "还有",
    "需要",
    "使用",
    "用的",
]
_CJK_SEPARATORS = re.compile("|".join([*_CJK_STOP_BIGRAM_LIST, *sorted(_CJK_STOP)]))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=65536)
def content_terms(text: str) -> frozenset[str]:
    """Stemmed English content words plus Chinese character bigrams (single characters for 1-char runs)."""
    lowered = text.lower()
    terms = {_stem(word) for word in _LATIN_WORD.findall(lowered) if word not in _STOPWORDS and len(word) > 1}
    for run in _CJK_RUN.findall(lowered):
        # Stop characters and words separate terms: a bigram never straddles them ("果汁|可以" gives no "汁可").
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
