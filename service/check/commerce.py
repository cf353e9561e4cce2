"""Price comparisons and promotions, the avoid-topic brands name most often, have a grammar of their own.

Embeddings place an abstract topic ("price comparisons with competitor brands and discounts") far from
a concrete post ("half the price of the Ninja", "双十一打折,便宜了两百块"). This bilingual lexicon of
comparison and promotion constructions recognises such talk; the checker uses it only for avoid-topics
whose own text is about prices or promotions. A plain statement of the official price is not a match.
"""

from __future__ import annotations

import re

# Comparing prices, or a deal: 比X便宜/贵, 便宜了/省了, 打折/促销/优惠/降价, 双十一/618;
# cheaper/pricier than, half the price of, X off, discount, deal, sale, coupon, Black Friday.
_DEAL_OR_COMPARISON = re.compile(
    r"比[^,，。!！?？]{0,12}?(?:便宜|贵|划算|实惠|低|高)|便宜了|贵了|省了|差价|打折|打了?[一二三四五六七八九\d]折|折扣|"
    r"促销|优惠|降价|特价|秒杀|券后|到手价|活动价|满减|双十一|双11|618|黑五|"
    r"\b(?:cheaper|pricier|more expensive|less expensive)\s+than\b|\bhalf the price\b|\b(?:twice|double) the price\b|"
    r"\b\d+%?\s*off\b|\b(?:[a-z]+ )?dollars off\b|\bdiscount\w*\b|\bdeal\b|\bon sale\b|\b(?:flash |clearance )?sale\b|"
    r"\bcoupon\w*\b|\bpromo\w*\b|\bblack friday\b|\bcyber monday\b|\bprime day\b|\bprice match\w*\b",
    re.IGNORECASE,
)
_PRICE_TOPIC = re.compile(
    r"价格|价钱|比价|售价|降价|促销|打折|折扣|优惠|低价|便宜|\bprices?\b|\bpricing\b|\bdiscounts?\b|\bdeals?\b|"
    r"\bpromotions?\b|\bcheap\w*\b|\bsales?\b",
    re.IGNORECASE,
)


def talks_deals(text: str) -> bool:
    """Whether the text compares prices or talks about a deal or promotion."""
    return bool(_DEAL_OR_COMPARISON.search(text))


def is_price_topic(text: str) -> bool:
    """Whether an avoid-topic is about prices, comparisons or promotions."""
    return bool(_PRICE_TOPIC.search(text))
