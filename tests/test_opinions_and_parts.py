"""What a review says that is no distortion: a subject shared with a negative fact, the figure of a part added
or given. Each against a knowledge base in each language
(examples written for these tests), with every candidate the mechanisms propose (``min_confidence=0``)."""

from __future__ import annotations

import pytest

from service.check.checker import Checker
from service.check.schemas import CheckResponse
from tests.conftest import with_knowledge_bases

READER_ZH = """
id: reader-zh
brand: 墨页
product: 墨页 R6 电子书阅读器
lang: zh
facts:
  - {id: F1, text: "屏幕为6英寸电子墨水屏，分辨率1072×1448。"}
  - {id: F2, text: "电池容量1500毫安时，正常阅读约可使用4周。"}
  - {id: F3, text: "机身存储8GB，不支持存储卡扩展。"}
  - {id: F4, text: "机身不防水，请勿在浴缸或泳池边使用。"}
  - {id: F5, text: "内置前光，亮度可调。"}
  - {id: F6, text: "支持蓝牙听书。"}
  - {id: F7, text: "整机重量约175克。"}
  - {id: F8, text: "整机保修一年。"}
key_messages:
  - {id: M1, text: "4周超长续航，出门不用带充电器。"}
  - {id: M2, text: "175克轻巧机身，单手握持也不累。"}
avoid_topics:
  - {id: A1, text: "价格、促销和与其他品牌阅读器的比较。"}
prohibited_claims:
  - {id: P1, text: "能治疗近视。"}
"""

READER_EN = """
id: reader-en
brand: Inkleaf
product: Inkleaf R6 e-reader
lang: en
facts:
  - {id: F1, text: "6-inch e-ink display with a resolution of 1072 x 1448."}
  - {id: F2, text: "1500 mAh battery: about 4 weeks of reading on a charge."}
  - {id: F3, text: "8 GB of storage; there is no memory card slot."}
  - {id: F4, text: "The reader is not waterproof; do not use it in the bath or by the pool."}
  - {id: F5, text: "Built-in front light with adjustable brightness."}
  - {id: F6, text: "Bluetooth audiobooks are supported."}
  - {id: F7, text: "It weighs 175 g."}
  - {id: F8, text: "1-year warranty."}
key_messages:
  - {id: M1, text: "Four weeks of reading on one charge: leave the charger at home."}
  - {id: M2, text: "At 175 g it is light enough to hold in one hand."}
avoid_topics:
  - {id: A1, text: "Prices, promotions and comparisons with other e-readers."}
prohibited_claims:
  - {id: P1, text: "It cures short-sightedness."}
"""


@pytest.fixture(scope="module")
def readers(checker: Checker) -> Checker:
    return with_knowledge_bases(checker, READER_ZH, READER_EN)


def proposed(result: CheckResponse) -> set[tuple[str | None, str]]:
    return {(d.fact_id, d.kind.value) for d in result.distortions}


@pytest.mark.parametrize(
    ("kb", "text"),
    [
        # sharing only the subject of a negative fact says nothing of what it denies
        ("reader-zh", "机身摸起来很细腻，拿在手里很有质感。"),
        ("reader-en", "The body feels solid and nicely finished."),
    ],
)
def test_a_shared_subject_is_no_contradiction(readers: Checker, kb: str, text: str) -> None:
    assert "contradiction" not in {kind for _, kind in proposed(readers.check(kb, text, min_confidence=0.0))}


@pytest.mark.parametrize(
    ("kb", "text", "fact"),
    [
        ("reader-zh", "这款不支持蓝牙，没法听书。", "F6"),
        ("reader-en", "There is no front light, so forget reading in bed.", "F5"),
        ("reader-zh", "可以插存储卡扩展，装多少书都行。", "F3"),
        ("reader-en", "Bluetooth audiobooks are not supported at all.", "F6"),
        ("reader-zh", "前光是没有的，晚上只能开台灯。", "F5"),
    ],
)
def test_denying_a_feature_or_asserting_a_missing_one_is_still_a_contradiction(
    readers: Checker, kb: str, text: str, fact: str
) -> None:
    assert (fact, "contradiction") in proposed(readers.check(kb, text, min_confidence=0.0))


@pytest.mark.parametrize(
    ("kb", "text"),
    [
        ("reader-zh", "店家送了个300克的真皮保护套，很厚实。"),
        ("reader-zh", "自己又加了一个300克的支架，看书更稳。"),
        ("reader-en", "The shop threw in a free 300 g leather cover."),
        ("reader-en", "I added a 300 g stand so it sits upright on the desk."),
    ],
)
def test_the_figure_of_a_part_added_or_given_is_not_the_products(readers: Checker, kb: str, text: str) -> None:
    assert "numeric" not in {kind for _, kind in proposed(readers.check(kb, text, min_confidence=0.0))}


@pytest.mark.parametrize(
    ("kb", "text"),
    [("reader-zh", "整机重量有300克，比想象中沉。"), ("reader-en", "It weighs 300 g, heavier than I expected.")],
)
def test_the_products_own_wrong_figure_is_still_numeric(readers: Checker, kb: str, text: str) -> None:
    assert ("F7", "numeric") in proposed(readers.check(kb, text, min_confidence=0.0))


RADIO_KBS = (
    """
id: radio-en
brand: Pell
product: Pell R2 radio
lang: en
facts:
  - {id: F1, text: "It receives FM and AM; it does not work with DAB stations."}
  - {id: F2, text: "A fast travel charger is sold separately."}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
    """
id: radio-zh
brand: 佩尔
product: 佩尔 R2 收音机
lang: zh
facts:
  - {id: F1, text: "可收听调频和调幅广播；无法在数字广播频段正常工作。"}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
)


@pytest.fixture(scope="module")
def radios(checker: Checker) -> Checker:
    return with_knowledge_bases(checker, *RADIO_KBS)


@pytest.mark.parametrize(
    ("kb", "text", "fact", "contradicts"),
    [
        # sharing only a word any clause uses ("works", "fast", 工作) says nothing of what the negation governs
        ("radio-en", "And it works great!", "F1", False),
        ("radio-en", "Very fast internet.", "F2", False),
        ("radio-zh", "每天都工作正常。", "F1", False),
        # what it governs, named
        ("radio-en", "It picks up DAB stations just fine.", "F1", True),
        ("radio-zh", "数字广播频段收得很清楚。", "F1", True),
    ],
)
def test_a_word_any_clause_uses_is_no_subject_shared_with_a_denial(
    radios: Checker, kb: str, text: str, fact: str, contradicts: bool
) -> None:
    result = radios.check(kb, text, min_confidence=0.0)
    assert ((fact, "contradiction") in proposed(result)) is contradicts


CREAM_KBS = (
    """
id: cream-zh
brand: 青禾
product: 青禾 护手霜
lang: zh
facts:
  - {id: F1, text: "配方不含酒精、香精、矿物油和羊毛脂。"}
  - {id: F2, text: "管身和盖子都不能放进微波炉。"}
  - {id: F3, text: "随附的加热底座不支持Wi-Fi和5G网络，只能用按键操作。"}
  - {id: F4, text: "每支50毫升。"}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
    """
id: cream-en
brand: Fernhill
product: Fernhill hand cream
lang: en
facts:
  - {id: F1, text: "The formula is free of parabens, silicones, lanolin and mineral oil."}
  - {id: F2, text: "Neither the tube nor the cap is microwave-safe."}
  - {id: F3, text: "The warming stand has no Wi-Fi or 5G connection; it is worked by its buttons."}
  - {id: F4, text: "Each tube holds 50 ml."}
key_messages: []
avoid_topics: []
prohibited_claims: []
""",
)


@pytest.fixture(scope="module")
def creams(checker: Checker) -> Checker:
    return with_knowledge_bases(checker, *CREAM_KBS)


@pytest.mark.parametrize(
    ("kb", "text"),
    [
        # one thing of the list a fact denies having, said to be there, contradicts it
        ("cream-zh", "抹开有股淡淡的香精味道"),
        ("cream-zh", "冬天擦了以后发现配料表里有羊毛脂"),
        # ...also when the fact's list runs on past a comma
        ("cream-en", "Heads up, it does have lanolin in it."),
        ("cream-en", "The ingredient list on the back shows mineral oil."),
    ],
)
def test_having_one_thing_a_fact_lists_as_absent_is_a_contradiction(creams: Checker, kb: str, text: str) -> None:
    assert ("F1", "contradiction") in proposed(creams.check(kb, text, min_confidence=0.0))


@pytest.mark.parametrize(
    ("kb", "text"),
    [
        # "neither A nor B is X" denies X, not A or B: naming the cap says nothing against it
        ("cream-en", "The cap snaps shut with a nice click."),
        # a thing listed with a digit is that thing: 5G网络 is not any network
        ("cream-zh", "家里的网络信号很稳定"),
        ("cream-zh", "出门用手机网络也很快"),
    ],
)
def test_only_the_things_a_denial_of_having_lists_are_each_denied(creams: Checker, kb: str, text: str) -> None:
    assert "contradiction" not in {kind for _, kind in proposed(creams.check(kb, text, min_confidence=0.0))}


POUCH_KBS = (
    """
id: pouch-en
brand: Tunewell
product: Tunewell Buds 2
lang: en
facts:
  - {id: F1, text: "A full charge gives 6 hours of listening."}
  - {id: F2, text: "Charging from empty takes 2 hours over USB-C."}
  - {id: F3, text: "The travel pouch holds the earbuds and two spare tips; it does not charge them."}
key_messages:
  - {id: M1, text: "Six hours of music on one charge."}
avoid_topics: []
prohibited_claims: []
""",
    """
id: pouch-zh
brand: 听澜
product: 听澜 Buds 2
lang: zh
facts:
  - {id: F1, text: "充满电可连续听歌6小时。"}
  - {id: F2, text: "从没电到充满约需2小时。"}
  - {id: F3, text: "收纳袋可装下耳机和两对备用耳塞；它不能给耳机充电。"}
key_messages:
  - {id: M1, text: "一次充电听歌6小时。"}
avoid_topics: []
prohibited_claims: []
""",
)


@pytest.fixture(scope="module")
def pouches(checker: Checker) -> Checker:
    return with_knowledge_bases(checker, *POUCH_KBS)


@pytest.mark.parametrize(("kb", "subject"), [("pouch-en", "travel pouch"), ("pouch-zh", "收纳袋")])
def test_a_claim_led_by_a_pronoun_speaks_of_the_part_named_before_it(pouches: Checker, kb: str, subject: str) -> None:
    profile = pouches.profiles.get(pouches.repository.get(kb))
    assert [claim.subject for claim in profile.claims if claim.fact_id == "F3"] == ["", subject]


@pytest.mark.parametrize(
    ("kb", "text", "flagged"),
    [
        # the charging the writer speaks of is the product's, not the pouch's that the fact denies
        ("pouch-en", "Six hours on a charge, I hardly think about charging anymore.", False),
        # ...while saying the pouch charges them still contradicts it
        ("pouch-zh", "收纳袋还能给耳机充电，很方便", True),
    ],
)
def test_what_a_part_does_not_do_is_denied_of_that_part(pouches: Checker, kb: str, text: str, flagged: bool) -> None:
    found = {(d.fact_id, d.kind.value) for d in pouches.check(kb, text).distortions}
    assert (("F3", "contradiction") in found) is flagged
