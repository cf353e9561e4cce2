"""Price comparisons and promotions, the avoid-topic brands name most often, have a grammar of their own.

Embeddings place an abstract topic ("price comparisons with competitor brands and discounts") far from
a concrete post ("a third of the price of its rival", "比实体店便宜"). A bilingual lexicon of deal and
promotion words (``lexicons/commerce.txt``) and a few comparison constructions recognise such talk; the
checker uses it only for avoid-topics whose own text is about prices or promotions. A plain statement of
the official price is not a match. A comparison topic is also touched by naming another brand or model: a
word of comparison (平替, versus) or a model name made of none of the knowledge base's own words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.check.lexicons import alternation, pattern

_LEXICON = "commerce.txt"
_NUMBER = r"(?:\d+(?:\.\d+)?|[a-z]+(?:-[a-z]+)?)"  # 30, or a number word ("thirty", "twenty-five")
# A promotion: a discount, a sale, a shopping event.
_PROMOTION = re.compile(
    rf"打了?[一二三四五六七八九\d]折|{alternation(_LEXICON, 'deal_words')}|\b\d+%?\s*off\b",
    re.IGNORECASE,
)
# One price set against another: 比X便宜, cheaper than, half the price of, $30 more.
_PRICE_COMPARISON = re.compile(
    rf"比[^,，。!！?？]{{0,12}}?(?:{alternation(_LEXICON, 'comparatives_zh')})"
    rf"|{alternation(_LEXICON, 'comparatives_en')}"
    rf"|\b(?:{alternation(_LEXICON, 'fractions')})\s+the\s+price\b"
    rf"|[$€£¥]\s?\d+(?:\.\d+)?\s+(?:off|more|less|cheaper|pricier)\b"
    rf"|\b{_NUMBER}\s+(?:{alternation(_LEXICON, 'currencies')})\s+(?:off|more|less|cheaper|pricier)\b",
    re.IGNORECASE,
)
_OWN_PRICE = pattern(_LEXICON, "own_price")
_DEAL_TOPIC = pattern(_LEXICON, "deal_topic")
_PRICE_TOPIC = pattern(_LEXICON, "price_topic")
_COMPARISON_TOPIC = pattern(_LEXICON, "comparison_topic")
_RIVAL_WORDS = pattern(_LEXICON, "rival_words")
# A model name: a capitalised word with a number ("Slate 13", "A119", "M3 Air").
_MODEL_NAME = re.compile(r"\b[A-Z][A-Za-z]*\d+[A-Za-z\d]*\b|\b[A-Z][a-z]+\s\d{1,4}\b")


def talks_deals(text: str) -> bool:
    """Whether the text compares prices or talks about a deal or promotion."""
    return talks_promotion(text) or compares_prices(text)


def talks_promotion(text: str) -> bool:
    """Whether the text talks about a discount, a sale or a shopping event."""
    return bool(_PROMOTION.search(text))


def compares_prices(text: str) -> bool:
    """Whether the text sets one price against another."""
    return bool(_PRICE_COMPARISON.search(text))


def compares_with_own_price(text: str) -> bool:
    """Whether the price the text compares with is the product's own (its list or usual price): a discount."""
    return compares_prices(text) and bool(_OWN_PRICE.search(text))


def is_deal_topic(text: str) -> bool:
    """Whether an avoid-topic is about sales, discounts or promotions, not only about comparing prices."""
    return bool(_DEAL_TOPIC.search(text))


def is_price_topic(text: str) -> bool:
    """Whether an avoid-topic is about prices, comparisons or promotions."""
    return bool(_PRICE_TOPIC.search(text))


def is_comparison_topic(text: str) -> bool:
    """Whether an avoid-topic is about comparisons with other brands or models."""
    return bool(_COMPARISON_TOPIC.search(text))


# The brands an avoid-topic lists by name: "with Vantrue, Viofo or other brands", "Apple's MacBook Air", "the iPad",
# "与海尔、小天鹅等竞品": capitalised words after the first, or the items of a Chinese list ending in 等.
_CAPITALISED = re.compile(r"(?<=\s)(?:[A-Z]|[a-z][A-Z])[\w&-]*(?:\s+[A-Z][\w&-]*)*")
_ZH_LIST = re.compile(r"(?:与|和|跟|同|比如|例如|像|如|包括)([^，,。；;：:等]{2,30}?)等")
_ZH_ITEM = re.compile(r"[、/]|或")


def listed_rivals(topic: str) -> tuple[str, ...]:
    """The other brands and models an avoid-topic names ("Price comparisons with Vantrue, Viofo or other dash cam
    brands": Vantrue, Viofo; "与海尔、小天鹅等竞品比较": 海尔, 小天鹅): a post that names one touches it."""
    names: list[str] = []
    for match in _CAPITALISED.finditer(topic):
        names.extend(part.strip() for part in re.split(r"'s\b|’s\b", match.group()) if part.strip())
    for match in _ZH_LIST.finditer(topic):
        names.extend(item.strip() for item in _ZH_ITEM.split(match.group(1)) if 1 < len(item.strip()) <= 12)
    return tuple(dict.fromkeys(names))


def rival_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern finding any of ``names`` in a post, a name written in letters as a whole word (None for none)."""
    if not names:
        return None
    parts = [
        rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])" if re.match(r"[A-Za-z0-9]", name) else re.escape(name)
        for name in names
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


def names_rival(text: str, own_names: frozenset[str]) -> bool:
    """Whether the text sets the product beside another: a word of comparison (平替, versus) or a model name
    that is none of the knowledge base's own (``own_names``: its words, lower-cased)."""
    if _RIVAL_WORDS.search(text):
        return True
    return any(not set(name.lower().split()) <= own_names for name in (m.group() for m in _MODEL_NAME.finditer(text)))
