"""Figure candidates: which figures are compared and which are read as something else (examples written for
these tests)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from service.check.candidates.figures import _a_difference
from service.check.profile import Claim, KnowledgeBaseProfile
from service.check.quantities import extract_quantities


def _profile(fact: str) -> tuple[KnowledgeBaseProfile, Claim]:
    claim = cast(Claim, SimpleNamespace(fact_id="F1", quantities=extract_quantities(fact)))
    profile = SimpleNamespace(claims=[claim], claims_of_fact={"F1": [0]})
    return cast(Any, profile), claim


@pytest.mark.parametrize(
    ("fact", "post", "gap"),
    [
        ("Official price is $129 for the Lark and $179 for the Lark Max.", "The Max is $50 more, worth it", True),
        ("Official price is $129 for the Lark and $179 for the Lark Max.", "The Max is $99, a steal", False),
        ("官方售价：小号299元，大号399元。", "大号贵了100元，值得", True),
        ("官方售价：小号299元，大号399元。", "大号只要199元", False),
    ],
)
def test_the_gap_between_two_official_figures_is_a_difference(fact: str, post: str, gap: bool) -> None:
    profile, claim = _profile(fact)
    [claimed] = [q for q in extract_quantities(post) if q.dimension == "currency"]
    assert _a_difference(claimed, profile, claim) is gap


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("官方价大容量版1599，还行", 1599),
        ("售价Max款899", 899),
        ("the price of the Max is 179, fair", 179),
        ("the list price for the Max model is 179", 179),
    ],
)
def test_a_bare_number_after_a_price_word_and_a_variant_is_a_price(text: str, value: float) -> None:
    [price] = extract_quantities(text)
    assert (price.dimension, price.value) == ("currency", value)
