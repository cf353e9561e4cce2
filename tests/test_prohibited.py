"""Prohibited claims on two made-up products, one Chinese and one English knowledge base.

What the mechanisms propose is asserted at ``min_confidence=0.0`` (before the fitted decision): whether a
candidate is reported is the decision's, fitted on the labelled products. Every example is written for
these tests (the evaluation posts are never copied here)."""

from __future__ import annotations

import pytest

from service.check.checker import Checker
from service.check.profile import KnowledgeBaseProfile
from tests.conftest import with_knowledge_bases

HUMIDIFIER_KB = """
id: humid
brand: 雾川
product: 雾川 H2 静音加湿器
lang: zh
facts:
  - {id: F1, text: "水箱容量4升,满水可连续加湿18小时。"}
  - {id: F2, text: "运行噪音最低26分贝。"}
  - {id: F3, text: "请使用纯净水或凉开水,不要加入精油或香薰。"}
  - {id: F4, text: "水箱每周清洗一次。"}
key_messages:
  - {id: M1, text: "26分贝静音运行,睡觉也不打扰。"}
  - {id: M2, text: "4升大水箱,一晚不用加水。"}
avoid_topics:
  - {id: A1, text: "与其他品牌比价格和促销打折。"}
prohibited_claims:
  - {id: P1, text: "加湿器能治疗或预防鼻炎、哮喘等呼吸道疾病。"}
  - {id: P2, text: "永不漏电、绝对安全等安全保证。"}
"""

HELMET_KB = """
id: helmet
brand: Tallow
product: Tallow Sprout Kids Bike Helmet
lang: en
facts:
  - {id: F1, text: "The helmet weighs 290 g in size S and 320 g in size M."}
  - {id: F2, text: "The dial at the back adjusts the fit from 48 to 54 cm."}
  - {id: F3, text: "Replace the helmet after any crash, even when no damage is visible."}
  - {id: F4, text: "The rear light runs 10 hours on a charge."}
key_messages:
  - {id: M1, text: "A light helmet kids actually want to wear."}
  - {id: M2, text: "A built-in rear light so drivers see them at dusk."}
avoid_topics:
  - {id: A1, text: "Discounts and price comparisons with other brands."}
prohibited_claims:
  - {id: P1, text: "The bike helmet prevents head injuries, concussions or other injuries in a crash."}
"""


KIDS_WATCH_KB = """
id: kids-watch
brand: 云杉
product: 云杉 K2 儿童手表
lang: zh
facts:
  - {id: F1, text: "电池容量680毫安时,正常使用约3天。"}
  - {id: F2, text: "防水等级IP67,不可戴着游泳。"}
key_messages:
  - {id: M1, text: "一键呼叫家长,孩子走到哪都能找到。"}
avoid_topics: []
prohibited_claims:
  - {id: P1, text: "儿童手表摔不坏,屏幕永远不会碎。"}
"""


GLASSES_KB = """
id: glasses-en
brand: Vero
product: Vero K1 sunglasses
lang: en
facts:
  - {id: F1, text: "The frame weighs 24 g."}
  - {id: F2, text: "UV400 lenses block 99% of UVA and UVB."}
key_messages:
  - {id: M1, text: "Light enough to forget you are wearing them."}
avoid_topics: []
prohibited_claims:
  - {id: P1, text: "The lenses never scratch."}
  - {id: P2, text: "The frame colour never fades in the sun."}
"""


@pytest.fixture(scope="module")
def products(checker: Checker) -> Checker:
    return with_knowledge_bases(checker, HUMIDIFIER_KB, HELMET_KB, KIDS_WATCH_KB, GLASSES_KB)


def proposed(checker: Checker, kb: str, text: str) -> set[str]:
    """The prohibited claims the mechanisms propose for ``text``, before the decision."""
    result = checker.check(kb, text, min_confidence=0.0)
    return {d.fact_id or "" for d in result.distortions if d.kind.value == "prohibited"}


def test_the_product_name_is_no_distinctive_word_of_a_claim(products: Checker) -> None:
    """A claim names the product it is about ("kids bike helmet", "加湿器"); its distinctive words are what
    it claims (injuries, 鼻炎), so that a clause naming the product does not pass as using the claim's words."""
    for kb_id, about in (("helmet", {"bik"}), ("humid", {"湿器"})):
        profile: KnowledgeBaseProfile = products.profiles.get(products.repository.get(kb_id))
        for target in profile.prohibited:
            assert not target.distinctive_terms & about, (kb_id, target.distinctive_terms)
    assert proposed(products, "helmet", "Honestly the comfiest bike helmet we have tried.") == set()


@pytest.mark.parametrize(
    ("kb", "text", "expected"),
    [
        # The harm denied implies the effect: it prevents it.
        ("humid", "卧室放了它一整个冬天,女儿的鼻炎一次也没发作。", {"P1"}),
        ("helmet", "Since he started wearing it he has never had a concussion.", {"P1"}),
        # A claim worded as a denial is made by a clause that denies the same.
        ("humid", "水箱泼出来也不会漏电。", {"P2"}),
        # The effect denied, a copula denied, or what was (not) said: no claim.
        ("humid", "它治不好鼻炎,该吃药还得吃药。", set()),
        ("humid", "说明书上从没写过能预防哮喘。", set()),
        ("helmet", "No helmet can stop every concussion.", set()),
        ("helmet", "Sadly it is not a concussion-proof helmet.", set()),
    ],
)
def test_a_negated_clause_makes_the_claim_when_it_denies_the_harm(
    products: Checker, kb: str, text: str, expected: set[str]
) -> None:
    assert proposed(products, kb, text) == expected


@pytest.mark.parametrize(
    ("kb", "text", "expected"),
    [
        # A remark on the product in general is near a claim about it through the product's noun alone.
        ("kids-watch", "儿童手表挺好的。", set()),
        ("kids-watch", "儿童手表很垃圾。", set()),
        ("helmet", "The bike helmet works fine.", set()),
        # What the claim claims is still near without the noun.
        ("helmet", "This helmet will keep him from any head injury in a crash.", {"P1"}),
        ("humid", "用了这个加湿器,鼻炎好多了。", {"P1"}),
    ],
)
def test_a_claim_is_compared_without_the_products_noun(
    products: Checker, kb: str, text: str, expected: set[str]
) -> None:
    assert proposed(products, kb, text) == expected


@pytest.mark.parametrize(
    ("kb", "text", "opposed"),
    [
        # a complaint that the harm happened is the opposite of a claim that it never does
        ("humid", "用了一个月插头那里就漏电了。", 1.0),
        ("glasses-en", "The frame colour faded after one summer in the sun.", 1.0),
        # denying the harm agrees with it
        ("humid", "水箱翻倒了也从不漏电。", 0.0),
        ("glasses-en", "The frame colour has never faded in the sun.", 0.0),
    ],
)
def test_a_claim_denying_a_harm_is_opposed_by_a_clause_stating_it(
    products: Checker, kb: str, text: str, opposed: float
) -> None:
    [rows] = products.evidence(kb, [text])
    values = [features["prohibited_opposed"] for family, key, features in rows if family == "prohibited"]
    assert values and max(values) == opposed


@pytest.mark.parametrize(
    ("kb", "text", "expected"),
    [
        # the damage a claim says never happens, reported as having happened: no claim is made
        ("kids-watch", "屏幕才用一周就碎了。", set()),
        ("kids-watch", "表盘边上摔出一道裂缝。", set()),
        ("glasses-en", "The lenses got a deep scratch within a week.", set()),
        # the damage denied still makes the claim
        ("kids-watch", "从楼梯上滚下去屏幕都没碎。", {"P1"}),
        ("glasses-en", "Keys in the same pocket and the lenses never got a single scratch.", {"P1"}),
    ],
)
def test_damage_reported_is_no_claim_that_it_never_happens(
    products: Checker, kb: str, text: str, expected: set[str]
) -> None:
    assert proposed(products, kb, text) & {"P1"} == expected
