"""The checker's text mechanisms on their own, in both languages (examples written for these tests)."""

from __future__ import annotations

import pytest

from service.check.absolute import find_absolute_claims, reword
from service.check.commerce import is_price_topic, talks_deals
from service.check.polarity import analyse_polarity
from service.check.quantities import compare, extract_quantities, parse_number, substitute
from service.check.segmentation import detect_language, split_clauses, split_sentences


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十五", 15),
        ("两", 2),
        ("1.5万", 15000),
        ("三千五百", 3500),
        ("一百二十", 120),
        ("半", 0.5),
        ("一个半", 1.5),
        ("twelve", 12),
        ("twenty-four", 24),
        ("a dozen", 12),
    ],
)
def test_numbers_in_both_languages(text: str, value: float) -> None:
    assert parse_number(text) == value


def figures(text: str) -> list[tuple[str, float, str, str]]:
    return [(q.text, round(q.value, 2), q.unit, q.bound) for q in extract_quantities(text)]


def test_units_bounds_ranges_and_conversions() -> None:
    assert figures("单次充电可播放8小时,配合充电盒总续航32小时") == [
        ("8小时", 28800, "s", "exact"),
        ("32小时", 115200, "s", "exact"),
    ]
    assert figures("主动降噪最高42分贝") == [("42分贝", 42, "dB", "at_most")]
    assert figures("一只不到5克")[-1] == ("5克", 5, "g", "less_than")
    assert figures("续航8小时左右") == [("8小时", 28800, "s", "approx")]
    assert figures("between 8 and 10 hours") == [("between 8 and 10 hours", 32400, "s", "range")]
    assert figures("Max temp is 400°F") == [("400°F", 204.44, "°C", "at_most")]  # a maximum named before it
    assert figures("It draws 1,700 watts") == [("1,700 watts", 1700, "W", "exact")]
    assert figures("Auto shut-off after an hour") == [("an hour", 3600, "s", "exact")]
    assert figures("The basket holds 5.5 L") == [("5.5 L", 5500, "ml", "exact")]


def test_counts_keep_their_noun_and_non_figures_are_ignored() -> None:
    [devices] = extract_quantities("能同时连三台设备")
    assert (devices.kind, devices.value, devices.counted) == ("count", 3, "设备")
    [presets] = extract_quantities("It has 8 one-touch cooking presets.")
    assert (presets.value, presets.counted) == (8, "presets")
    for text in [
        "蓝牙5.3连接稳定",
        "防水等级IPX4",
        "Q3耳机",
        "2026年11月11日",
        "Bluetooth 5.3 and iPhone 15",
        "双十一",
    ]:
        assert extract_quantities(text) == [], text


def test_roles_of_time_and_money() -> None:
    assert [q.role for q in extract_quantities("用了两周就刮花了")] == ["elapsed"]
    assert extract_quantities("Replace the brush head every 3 months")[0].role == "period"
    assert extract_quantities("Got it for $59 in a flash sale")[0].role == "deal"
    assert extract_quantities("比平时便宜了两百块")[0].relative


def q(text: str, index: int = 0):  # type: ignore[no-untyped-def]
    return extract_quantities(text)[index]


def test_compare_respects_bounds_conversions_and_tolerance() -> None:
    assert compare(q("降噪深度达到50分贝"), q("主动降噪深度最高42分贝")) == "differs"
    assert compare(q("42分贝名不虚传"), q("主动降噪深度最高42分贝")) == "consistent"
    assert compare(q("一只不到5克", 1), q("单只耳机重4.8克")) == "consistent"
    assert compare(q("Max temp is 400°F"), q("The maximum temperature is 200°C")) == "consistent"
    assert compare(q("after an hour"), q("after 60 minutes")) == "consistent"
    assert compare(q("保修两年"), q("整机保修期为1年")) == "differs"
    assert compare(q("能同时连三台设备"), q("可同时连接两台设备")) == "differs"
    assert compare(q("容量350毫升"), q("The cup holds 500 ml")) == "differs"
    assert compare(q("保修两年"), q("容量350毫升")) == "incomparable"


def test_substitute_writes_the_official_figure_in_the_post_style() -> None:
    official = q("单次充电可连续播放8小时")
    assert (
        substitute("这耳机单次续航能到12小时。", q("这耳机单次续航能到12小时。"), official)
        == "这耳机单次续航能到8小时。"
    )
    assert substitute("Battery lasts 20 hours.", q("Battery lasts 20 hours."), official) == "Battery lasts 8 hours."


def test_sentences_and_clauses_keep_offsets() -> None:
    text = "  这耳机续航8小时,加上充电盒一共32小时。Max temp is 400°F, which is hot. It draws 1,700 W.\n好看!"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "这耳机续航8小时,加上充电盒一共32小时。",
        "Max temp is 400°F, which is hot.",
        "It draws 1,700 W.",
        "好看!",
    ]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        for clause in split_clauses(sentence):
            assert text[clause.start : clause.end] == clause.text
    assert [c.text for c in split_clauses(sentences[0])] == ["这耳机续航8小时", "加上充电盒一共32小时。"]
    assert [c.text for c in split_clauses(sentences[2])] == ["It draws 1,700 W."]  # not split inside 1,700
    assert split_sentences("   ") == []
    assert (
        detect_language("续航很长"),
        detect_language("Battery lasts"),
        detect_language("续航很长 battery lasts long"),
    ) == ("zh", "en", "mixed")


@pytest.mark.parametrize(
    ("text", "negated", "prohibitive"),
    [
        ("不支持无线充电", True, False),
        ("请勿放入冰块", True, True),
        ("但不可在游泳时佩戴", True, True),
        ("戴着它去游泳完全没问题", False, False),
        ("一只不到5克", False, False),
        ("支持无线充电", False, False),
        ("It never turns itself off", True, False),
        ("the main unit must never be immersed in water", True, True),
        ("Do not put parchment paper in the basket", True, True),
        ("not bad at all", False, False),
        ("No preheating needed at all", True, False),
        ("不过那是加上充电盒的", False, False),
    ],
)
def test_polarity(text: str, negated: bool, prohibitive: bool) -> None:
    polarity = analyse_polarity(text)
    assert (polarity.negated, polarity.prohibitive) == (negated, prohibitive)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("全网最强的降噪耳机", ["全网最强"]),
        ("这是市面上第一款支持双设备连接的耳机", ["市面上第一"]),
        ("第一天用就掉了一只", []),
        ("主动降噪深度最高42分贝", []),
        ("Best blender ever made, guaranteed to never break.", ["Best blender ever", "guaranteed to never break"]),
        ("The easiest cooking I've ever done.", []),
        ("Up to 85% less oil.", []),
        ("充到100%要3小时", []),
        ("不是最便宜的", []),
    ],
)
def test_absolute_claims_and_their_exceptions(text: str, terms: list[str]) -> None:
    assert [claim.term for claim in find_absolute_claims(text)] == terms


def test_absolute_lexicon_per_brand_and_neutral_rewording() -> None:
    assert [c.term for c in find_absolute_claims("行业标杆产品", extra_terms=["行业标杆"])] == ["行业标杆"]
    assert find_absolute_claims("顶级音质", exceptions=["顶级"]) == []
    assert reword("这是全网最强的榨汁杯。", find_absolute_claims("这是全网最强的榨汁杯。")) == "这是很强的榨汁杯。"


def test_price_comparison_and_deal_grammar() -> None:
    for text in ["比别的牌子便宜了五十块", "Half the price of my old one", "thirty dollars off", "双十一打折"]:
        assert talks_deals(text), text
    for text in ["官方售价259元", "Full retail price is $79", "在等快递"]:
        assert not talks_deals(text), text
    assert is_price_topic("Price comparisons with competitor brands and discounts.")
    assert not is_price_topic("How loud the motor sounds.")
