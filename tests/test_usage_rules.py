"""Rules for use and care: a required action left out, and a forbidden use that a list continues, in both languages.

Every example is written for these tests (the evaluation posts are never copied here). The assertions are on the
candidates the mechanisms propose (what the fitted decision then weighs), on a knowledge base of rules."""

from __future__ import annotations

import pytest

from service.check.checker import Checker
from service.check.polarity import omits, requires
from tests.conftest import with_knowledge_bases

KETTLE_RULES = """
id: kettle-rules
brand: Ferno
product: Ferno Brew kettle
lang: en
facts:
  - {id: F1, text: "The kettle holds 1.7 litres."}
  - {id: F2, text: "Descale the kettle every month with the supplied descaling powder."}
  - {id: F3, text: "Do not heat milk or soup, juice or any liquid other than plain water in it."}
  - {id: F4, text: "每次用完须倒空余水并擦干内壁，再盖好盖子收纳。"}
  - {id: F5, text: "底座不可放在灶台上，煤气炉或电磁炉旁边。"}
  - {id: F6, text: "Rinse the tea filter and leave it to dry on a rack after each use; never put it in the microwave."}
  - {id: F7, text: "滤茶网每次用完冲洗干净后放在通风处晾干，不要放进微波炉或烤箱加热。"}
key_messages:
  - {id: M1, text: "Boils a full kettle in three minutes."}
avoid_topics: []
prohibited_claims: []
"""


@pytest.fixture(scope="module")
def kettle(checker: Checker) -> Checker:
    return with_knowledge_bases(checker, KETTLE_RULES)


def usage_candidates(checker: Checker, text: str) -> set[str]:
    """The facts a post is a usage candidate of."""
    [rows] = checker.evidence("kettle-rules", [text])
    return {key for family, key, _ in rows if family == "usage"}


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("We have never descaled the kettle with the powder.", "F2"),
        ("I skip the monthly descaling with the powder, it still works.", "F2"),
        ("每回烧好水懒得倒掉余水，内壁也从来不抹干，盖上就放进柜子。", "F4"),
        ("用完余水也没倒就收进柜子了。", "F4"),
    ],
)
def test_leaving_out_an_action_a_rule_requires_is_a_usage_candidate(kettle: Checker, text: str, fact: str) -> None:
    assert fact in usage_candidates(kettle, text)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("I descale it every month with the supplied powder.", "F2"),
        ("用完都会把余水倒空，擦干内壁再收好。", "F4"),
        ("You should descale it every month, not every season.", "F2"),  # states the rule: advice, not a breach
    ],
)
def test_doing_what_a_rule_requires_is_no_usage_candidate(kettle: Checker, text: str, fact: str) -> None:
    assert fact not in usage_candidates(kettle, text)


@pytest.mark.parametrize(
    "text",
    [
        "Every morning I warm up orange juice with it.",
        "我家底座常年放在电磁炉旁边，拿着方便。",
    ],
)
def test_a_use_in_a_forbidden_list_after_a_comma_is_still_forbidden(kettle: Checker, text: str) -> None:
    """ "Do not heat milk or soup, juice or …": the alternatives after the comma are forbidden too."""
    assert usage_candidates(kettle, text) & {"F3", "F5"}


def test_obligation_and_omission_cues() -> None:
    assert requires("用后须拧紧瓶盖") and requires("Refill it every week") and requires("apply it whenever parked")
    assert requires("Descale the kettle monthly") and requires("Tighten it by hand")
    assert not requires("刻度数字对应量杯的杯数") and not requires("The tank holds 5 litres")
    assert not requires("Charges the phone in an hour") and not requires("It keeps the water hot")
    assert omits("I skip the rinse after cooking") and omits("懒得晾干") and not omits("I rinse it after cooking")


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("After rinsing it I dry the tea filter in the microwave for a minute, much quicker.", "F6"),
        ("滤茶网冲干净以后我都塞进微波炉转一分钟，干得快。", "F7"),
    ],
)
def test_naming_what_only_a_rule_names_makes_the_clause_about_that_rule(kettle: Checker, text: str, fact: str) -> None:
    """The clause is nearer the fact's rinsing and drying claim, but the microwave is named only by its rule."""
    assert fact in usage_candidates(kettle, text)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("I rinse the tea filter and dry it on the rack, never in the microwave.", "F6"),
        ("滤茶网冲洗后放在窗边晾干，从来不放微波炉。", "F7"),
    ],
)
def test_keeping_to_the_rule_it_names_is_no_usage_candidate(kettle: Checker, text: str, fact: str) -> None:
    assert fact not in usage_candidates(kettle, text)
