"""Figure candidates: which figures are compared and which are read as something else (examples written for
these tests)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from service.check.candidates.figures import Figures, _a_difference, _conditions, _score_headed_claims
from service.check.checker import Checker
from service.check.profile import Claim, KnowledgeBaseProfile, split_fact
from service.check.quantities import compare, extract_quantities, same_attribute
from tests.conftest import with_knowledge_bases


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


def _claims(fact: str, parts: list[str]) -> tuple[KnowledgeBaseProfile, list[Claim]]:
    """A profile of one fact split into claims, each with its figures read in the whole fact."""
    in_fact = extract_quantities(fact)
    claims, start = [], 0
    for part in parts:
        start = fact.index(part, start)
        end = start + len(part)
        quantities = [q for q in in_fact if start <= q.start and q.end <= end]
        claims.append(cast(Claim, SimpleNamespace(fact_id="F1", quantities=quantities)))
        start = end
    profile = SimpleNamespace(claims=claims, claims_of_fact={"F1": list(range(len(claims)))})
    return cast(Any, profile), claims


@pytest.mark.parametrize(
    ("fact", "parts", "post"),
    [
        (
            "整机保修3年；滤网、水箱等配件保修1年。",
            ["整机保修3年；", "滤网、水箱等配件保修1年。"],
            "滤网坏了也在三年保修里",
        ),
        (
            "The frame is covered for 5 years; batteries and chargers for 1 year.",
            ["The frame is covered for 5 years;", "batteries and chargers for 1 year."],
            "spare batteries get 5 years too",
        ),
    ],
)
def test_a_figure_of_another_claims_condition_is_compared_with_that_claim(
    fact: str, parts: list[str], post: str
) -> None:
    profile, (whole, accessories) = _claims(fact, parts)
    [claimed] = extract_quantities(post)
    assert Figures._sibling_for(profile, whole, claimed) is accessories
    assert [compare(claimed, o) for o in accessories.quantities] == ["differs"]
    # a figure that names no condition stays with the claim it was paired with
    [plain] = extract_quantities("保修三年" if "保修" in post else "covered for 5 years")
    assert Figures._sibling_for(profile, whole, plain) is None


@pytest.mark.parametrize(
    ("fact", "post"),
    [
        ("烤箱预热模式约20分钟，快速模式约8分钟。", "快速模式12分钟就好了"),
        ("Preheat takes about 20 minutes, or about 8 minutes in rapid mode.", "rapid mode is done in 12 minutes"),
    ],
)
def test_a_duration_equal_to_the_gap_between_two_official_ones_is_a_level(fact: str, post: str) -> None:
    profile, claim = _profile(fact)
    [claimed] = extract_quantities(post)
    assert not _a_difference(claimed, profile, claim)


def test_a_fact_that_repeats_an_earlier_facts_figures_restates_it() -> None:
    texts = [
        ("F1", "UPF 40 fabric"),
        ("F2", "IP54 rated"),
        ("F3", "The kids' model has the same UPF 40 fabric."),
        ("F4", "防晒系数UPF 40，另有UPF 60款"),
    ]
    claims = [
        cast(Claim, SimpleNamespace(index=i, fact_id=f, quantities=extract_quantities(t), restates=None))
        for i, (f, t) in enumerate(texts)
    ]
    KnowledgeBaseProfile._mark_restatements(cast(Any, SimpleNamespace(claims=claims)))
    assert [claim.restates for claim in claims] == [None, None, 0, None]


@pytest.mark.parametrize(
    ("fact", "lent"),
    [
        ("电池寿命：充放电800次后容量不低于80%。", True),
        ("Filter life: about 900 hours of use.", False),  # one claim: its figure is its own
        ("电池充放电800次后容量不低于80%。", False),
    ],
)
def test_a_clause_near_a_facts_heading_is_as_near_to_the_figures_under_it(fact: str, lent: bool) -> None:
    parts = [span.text for span in split_fact(fact)]
    claims = [
        cast(
            Claim,
            SimpleNamespace(index=i, fact_id="F1", fact_text=fact, text=t, number=i, quantities=extract_quantities(t)),
        )
        for i, t in enumerate(parts)
    ]
    profile = cast(Any, SimpleNamespace(claims=claims, claims_of_fact={"F1": list(range(len(claims)))}))
    scores = {i: 0.7 if i == 0 else 0.1 for i in range(len(parts))}
    unit = cast(Any, SimpleNamespace(claim_scores=dict(scores), claim_cosines=dict(scores)))
    _score_headed_claims(profile, unit)
    assert (unit.claim_scores != scores) is lent


@pytest.mark.parametrize(
    ("post", "fact", "shared"),
    [
        ("快洗能放4公斤", "快洗程序最多洗1.5公斤", True),
        ("the quick program takes 4 kg", "The quick program holds up to 1.5 kg", True),
        ("能放4公斤", "快洗程序最多洗1.5公斤", False),
    ],
)
def test_a_figure_and_an_official_one_of_the_same_named_condition_share_it(post: str, fact: str, shared: bool) -> None:
    [claimed] = extract_quantities(post)
    [official] = extract_quantities(fact)
    assert bool(_conditions(claimed) & _conditions(official)) is shared


@pytest.mark.parametrize(
    ("fact", "post", "comparable"),
    [
        # Talk time is its own attribute: neither standby nor a day of use is compared with it.
        ("待机时间约200小时,连续通话约6小时。", "这手机电池能用4天", False),
        ("待机时间约200小时,连续通话约6小时。", "打电话最多能通话10小时", True),
        ("Talk time: up to 8 hours; standby: up to 250 hours.", "The battery lasts 3 days for me", False),
        ("Talk time: up to 8 hours; standby: up to 250 hours.", "It gives you 20 hours of talk time", True),
    ],
)
def test_talk_time_is_compared_only_with_talk_time(fact: str, post: str, comparable: bool) -> None:
    talk = [q for q in extract_quantities(fact) if q.dimension == "time" and "talk_time" in q.attribute]
    [claimed] = [q for q in extract_quantities(post) if q.dimension == "time"]
    assert len(talk) == 1 and same_attribute(claimed, talk[0]) is comparable


LAMP_KBS = (
    """
id: lamp-times-en
brand: Orla
product: Orla D3 desk lamp
lang: en
facts:
  - {id: F1, text: "The battery charges fully in about 2.5 hours."}
  - {id: F2, text: "It gives light for about 10 hours on a full battery."}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
    """
id: lamp-times-zh
brand: 欧拉
product: 欧拉 D3 台灯
lang: zh
facts:
  - {id: F1, text: "电池充满电约需2.5小时。"}
  - {id: F2, text: "满电可连续照明约10小时。"}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
)


@pytest.fixture(scope="module")
def lamps(checker: Checker) -> Checker:
    return with_knowledge_bases(checker, *LAMP_KBS)


@pytest.mark.parametrize(
    ("kb", "text", "flagged"),
    [
        # a duration that does not say what it measures is no charging time or warranty
        ("lamp-times-en", "From full, roughly 2 hours.", False),
        ("lamp-times-zh", "满电大约只有2个小时。", False),
        # one that says so is compared
        ("lamp-times-en", "It takes 5 hours to charge the battery.", True),
        ("lamp-times-zh", "充满电要5个小时。", True),
    ],
)
def test_a_duration_that_does_not_say_what_it_measures_is_no_charging_time(
    lamps: Checker, kb: str, text: str, flagged: bool
) -> None:
    result = lamps.check(kb, text, min_confidence=0.0)
    assert any(d.kind.value == "numeric" and d.fact_id == "F1" for d in result.distortions) is flagged


LOTION_KBS = (
    """
id: lotion-en
brand: Tidewell
product: Tidewell Daily Sun Lotion
lang: en
facts:
  - {id: F1, text: "SPF 40 with PA+++ protection."}
  - {id: F2, text: "The fragrance-free version has the same SPF 40 / PA+++."}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
    """
id: lotion-zh
brand: 潮汐
product: 潮汐 日常防晒乳
lang: zh
facts:
  - {id: F1, text: "防晒指数SPF40,PA+++。"}
  - {id: F2, text: "无香版同样是SPF40、PA+++。"}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
)


@pytest.mark.parametrize(
    ("kb", "text", "flagged"),
    [
        ("lotion-en", "This lotion is SPF 15.", True),
        ("lotion-en", "This lotion is SPF 40.", False),
        ("lotion-zh", "这款防晒乳是SPF15的。", True),
        ("lotion-zh", "这款防晒乳是SPF40的。", False),
    ],
)
def test_a_rating_is_compared_when_two_facts_state_it(checker: Checker, kb: str, text: str, flagged: bool) -> None:
    with_knowledge_bases(checker, *LOTION_KBS)
    result = checker.check(kb, text, min_confidence=0.0)
    assert any(d.kind.value == "numeric" and d.fact_id == "F1" for d in result.distortions) is flagged


LANTERN_KBS = (
    """
id: lantern-en
brand: Glowridge
product: Glowridge camping lantern
lang: en
facts:
  - {id: F1, text: "The battery lasts about 40 hours on the low setting."}
  - {id: F2, text: "A full charge takes about 4 hours."}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
    """
id: lantern-zh
brand: 萤野
product: 萤野 露营灯
lang: zh
facts:
  - {id: F1, text: "低亮度档续航约40小时。"}
  - {id: F2, text: "充满电约需4小时。"}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
)


@pytest.fixture(scope="module")
def lanterns(checker: Checker) -> Checker:
    return with_knowledge_bases(checker, *LANTERN_KBS)


@pytest.mark.parametrize(
    ("kb", "text", "flagged"),
    [
        # a battery life below the official one is the writer's use, not a claim about the spec...
        ("lantern-en", "Realistically the battery is good for 25 hours on low.", False),
        ("lantern-zh", "低亮度一般能用二十个小时左右", False),
        # ...but quoted as the spec, or above it, it is a wrong figure
        ("lantern-en", "The spec sheet says the battery lasts 25 hours.", True),
        ("lantern-zh", "官方说续航只有20小时", True),
        ("lantern-en", "The battery lasts 80 hours on low.", True),
        ("lantern-zh", "低亮度能用80个小时", True),
        # a charging time shorter than the official one overstates
        ("lantern-en", "It charges fully in about an hour.", True),
        ("lantern-zh", "一个小时就能充满", True),
    ],
)
def test_a_battery_life_below_the_official_one_is_the_writers_experience(
    lanterns: Checker, kb: str, text: str, flagged: bool
) -> None:
    found = {d.kind.value for d in lanterns.check(kb, text, min_confidence=0.0).distortions}
    assert ("numeric" in found) is flagged
