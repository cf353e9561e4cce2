"""Traditional Chinese posts against Simplified knowledge bases: the conversion keeps every offset, and the check
reports the post's own characters.

Every example is written for these tests (the evaluation posts are never copied here)."""

from __future__ import annotations

import pytest

from service.check import script
from service.check.checker import Checker
from service.check.schemas import CheckResponse
from service.check.script import restore, to_simplified

BLENDER = "chengfeng-p5"  # Chinese (Simplified) knowledge base
BRUSH = "lumo-sonic-3"  # English knowledge base


def distortions(result: CheckResponse) -> set[tuple[str | None, str]]:
    return {(d.fact_id, d.kind.value) for d in result.distortions}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("電池容量夠大，充電只要兩個鐘頭。", "电池容量够大，充电只要两个钟头。"),
        ("這款軟體很好用", "这款软件很好用"),  # a Taiwan phrase of the same length
        ("記憶體不夠", "记忆体不够"),  # 記憶體 → 内存 would shorten the text: characters only
        ("螢幕很亮，滑鼠也順手", "屏幕很亮，鼠标也顺手"),
        ("頭髮乾燥", "头发干燥"),  # one traditional character, two simplified ones: the phrase decides
    ],
)
def test_traditional_becomes_simplified(text: str, expected: str) -> None:
    assert to_simplified(text) == expected


def test_length_and_every_non_han_character_are_kept_in_mixed_text() -> None:
    text = "剛買的🍚電鍋 battery 超耐用!! 記憶體8GB、螢幕6.1吋 👍🏻\n香港用家：綫材質感一流 𠮷"
    simplified = to_simplified(text)
    assert len(simplified) == len(text)
    assert simplified != text
    for original, converted in zip(text, simplified, strict=True):
        if not "\u3400" <= original <= "\u9fff" and not "\uf900" <= original <= "\ufaff":
            assert converted == original
    assert simplified[simplified.index("电锅") :].startswith("电锅 battery 超耐用!! 记忆体8GB")
    assert "线材" in simplified


@pytest.mark.parametrize(
    "text",
    [
        "这个杯子容量350毫升,刚好一瓶水。",
        "The battery lasts three weeks 🔋 on one charge.",
        "软体",  # a Taiwan phrase already written in Simplified is the writer's wording
        "",
        "😀😀 !!! 123",
    ],
)
def test_simplified_english_and_other_text_pass_unchanged(text: str) -> None:
    assert to_simplified(text) == text


def test_the_converters_are_loaded_once() -> None:
    to_simplified("這個電鍋")
    to_simplified("那個電池")
    assert script._converter("t2s") is script._converter("t2s")
    assert script._converter.cache_info().currsize <= 2


def test_restore_gives_back_the_original_characters_around_an_inserted_text() -> None:
    original = "續航只有五個小時"
    simplified = to_simplified(original)
    derived = simplified.replace("五", "12")
    assert restore(derived, simplified, original) == "續航只有12個小時"
    assert restore(derived, original, original) == derived


# -- the check --------------------------------------------------------------------------------------


def test_a_wrong_figure_in_traditional_is_flagged_and_highlighted_in_the_original(checker: Checker) -> None:
    text = "整機重量大約800克，背著出門有點重。"
    result = checker.check(BLENDER, text)
    assert distortions(result) == {("F5", "numeric")}
    [distortion] = result.distortions
    assert text[distortion.start : distortion.end] == "整機重量大約800克"
    assert distortion.edit is not None and text[distortion.edit.start : distortion.edit.end] == "800克"
    assert distortion.correction == "整機重量大約480克，背著出門有點重。"
    assert result.corrected_text == "整機重量大約480克，背著出門有點重。"
    assert [sentence.text for sentence in result.sentences] == [text]


def test_a_traditional_unit_is_read_and_kept_in_the_correction(checker: Checker) -> None:
    text = "用了一週，覺得充飽電要等六個小時太久了。"
    result = checker.check(BLENDER, text)
    assert distortions(result) == {("F3", "numeric")}
    [distortion] = result.distortions
    assert distortion.claimed is not None and distortion.claimed.text == "六個小時"
    assert distortion.claimed.value == 6 * 3600  # seconds: 六個小時 is read as a duration
    assert "六個小時" in distortion.explanation
    assert result.corrected_text == "用了一週，覺得充飽電要等3個小時太久了。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("這台果汁機沒有磁吸安全開關，杯子沒裝好刀頭也照樣會轉。", {("F10", "contradiction")}),  # 沒有
        ("它支援藍牙，可以用手機App遙控。", {("F11", "contradiction")}),
        ("冰塊直接丟進去打冰沙完全沒問題 😋", {("F6", "usage")}),
    ],
)
def test_traditional_negations_and_uses_are_read(checker: Checker, text: str, expected: set[object]) -> None:
    result = checker.check(BLENDER, text, min_confidence=0.0)  # what the mechanisms propose
    assert distortions(result) == expected
    for distortion in result.distortions:
        # The official wording replaces the clause as the knowledge base writes it.
        assert distortion.correction == distortion.fact_text
        assert distortion.edit is not None and distortion.edit.text == distortion.fact_text


def test_agreeing_in_traditional_is_consistent(checker: Checker) -> None:
    result = checker.check(BLENDER, "它不支援藍牙，也沒有App，不過我本來就不需要。")
    assert distortions(result) == set()


def test_a_traditional_post_is_checked_like_its_simplified_twin(checker: Checker) -> None:
    traditional = "杯子容量有500毫升喔！底座也可以直接泡水洗，超方便。"
    [from_traditional, from_simplified] = checker.check_many(BLENDER, [traditional, to_simplified(traditional)])
    assert from_traditional.distortions
    assert [(d.fact_id, d.kind, d.start, d.end) for d in from_traditional.distortions] == [
        (d.fact_id, d.kind, d.start, d.end) for d in from_simplified.distortions
    ]
    assert [m.id for m in from_traditional.key_messages_carried] == [m.id for m in from_simplified.key_messages_carried]
    for sentence in from_traditional.sentences:
        assert sentence.text == traditional[sentence.start : sentence.end]
    for message in from_traditional.key_messages_carried:
        assert message.sentence == from_traditional.sentences[message.sentence_index].text


# -- code-switching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kb", "text", "expected"),
    [
        (BLENDER, "这个blender的cup容量有500ml,出门刚好", {("F1", "numeric")}),
        (BLENDER, "battery充满电可以榨30杯", {("F2", "numeric")}),
        (BLENDER, "這個blender的battery充飽電可以榨30杯", {("F2", "numeric")}),  # Traditional and English
        (BLENDER, "charge一次要5个小时才满", {("F3", "numeric")}),
        (BRUSH, "这个牙刷的battery能用60 days", {("F2", "numeric")}),
        (BRUSH, "brush head每6个月换一次就行", {("F9", "numeric")}),
    ],
)
def test_code_switching_in_a_sentence_is_matched(checker: Checker, kb: str, text: str, expected: set[object]) -> None:
    assert distortions(checker.check(kb, text)) == expected


def test_a_half_width_full_stop_before_chinese_ends_a_sentence(checker: Checker) -> None:
    text = "这个blender很好用.充电要6 hours才满.颜色也好看"
    result = checker.check(BLENDER, text)
    assert [sentence.text for sentence in result.sentences] == [
        "这个blender很好用.",
        "充电要6 hours才满.",
        "颜色也好看",
    ]
    assert distortions(result) == {("F3", "numeric")}
    assert result.distortions[0].start >= text.index("充电")


def test_a_chinese_classifier_before_an_english_noun_counts_the_noun(checker: Checker) -> None:
    result = checker.check(BRUSH, "这个toothbrush有5个cleaning modes,挺多的")
    assert distortions(result) == {("F5", "numeric")}
    assert distortions(checker.check(BRUSH, "这个toothbrush有3个cleaning modes,够用了")) == set()
