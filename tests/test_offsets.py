"""Check-response offsets in code points, UTF-16 code units and UTF-8 bytes (service.check.offsets)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.check.offsets import convert_response, offset_table
from service.check.schemas import (
    CheckCounts,
    CheckResponse,
    Distortion,
    DistortionKind,
    Edit,
    OffsetUnit,
    SentenceResult,
    Verdict,
)

TEXTS = [
    "入手两周了🥤🥤\n杯子能装500毫升。",
    "Love it 👍🏽! The cup holds 500 ml 🇨🇳.",
    "全家👩‍👩‍👧都爱用,𠮷野家旁边买的🇨🇳👍🏽。",
    "plain ASCII only.",
    "只有中文,没有表情。",
]


def utf16_slice(text: str, start: int, end: int) -> str:
    """What JavaScript's text.slice(start, end) gives."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def utf8_slice(text: str, start: int, end: int) -> str:
    return text.encode()[start:end].decode()


@pytest.mark.parametrize(
    ("char", "utf16", "utf8"),
    [
        ("a", 1, 1),
        ("é", 1, 2),
        ("杯", 1, 3),
        ("🥤", 2, 4),
        ("𠮷", 2, 4),  # outside the BMP, though not an emoji
        ("👍🏽", 4, 8),  # thumbs up + skin tone: two code points
        ("🇨🇳", 4, 8),  # two regional indicators
        ("👩‍👩‍👧", 8, 18),  # three people joined by two ZWJs: five code points
    ],
)
def test_each_character_counts_as_javascript_and_utf8_count_it(char: str, utf16: int, utf8: int) -> None:
    text = "买" + char + "了"
    assert offset_table(text, OffsetUnit.CODEPOINTS) == list(range(len(text) + 1))
    assert offset_table(text, OffsetUnit.UTF16)[-2:] == [1 + utf16, 2 + utf16]
    assert offset_table(text, OffsetUnit.UTF8)[-2:] == [3 + utf8, 6 + utf8]


@pytest.mark.parametrize("text", TEXTS)
def test_converted_offsets_slice_the_same_substrings(text: str) -> None:
    utf16 = offset_table(text, OffsetUnit.UTF16)
    utf8 = offset_table(text, OffsetUnit.UTF8)
    assert utf16[-1] == len(text.encode("utf-16-le")) // 2 and utf8[-1] == len(text.encode())
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            assert utf16_slice(text, utf16[start], utf16[end]) == text[start:end]
            assert utf8_slice(text, utf8[start], utf8[end]) == text[start:end]


def test_offsets_after_emoji_move_by_their_extra_units() -> None:
    text = TEXTS[0]
    second_sentence = text.index("杯")
    assert offset_table(text, OffsetUnit.UTF16)[second_sentence] == second_sentence + 2  # two 🥤 before it
    assert offset_table(text, OffsetUnit.UTF8)[second_sentence] == len("入手两周了🥤🥤\n".encode())


def test_a_lone_surrogate_counts_as_one_utf16_unit_and_three_bytes() -> None:
    # A Python str may hold one; converting must not fail on it.
    assert offset_table("a\ud83db", OffsetUnit.UTF16) == [0, 1, 2, 3]
    assert offset_table("a\ud83db", OffsetUnit.UTF8) == [0, 1, 4, 5]


def _response(text: str) -> CheckResponse:
    """A response as the checker gives it for ``text`` (code points): its second sentence states 500毫升."""
    first_end = text.index("\n") + 1
    figure = text.index("500毫升")
    edit = Edit(start=figure, end=figure + len("500毫升"), text="350毫升")
    distortion = Distortion(
        kind=DistortionKind.NUMERIC,
        fact_id="F1",
        fact_text="杯体容量350毫升",
        start=first_end,
        end=len(text),
        explanation="states 500毫升; official: 350毫升",
        correction="杯子能装350毫升。",
        score=0.9,
        edit=edit,
    )

    def sentence(index: int, start: int, end: int, distortions: list[Distortion]) -> SentenceResult:
        verdict = Verdict.DISTORTION if distortions else Verdict.UNRELATED
        return SentenceResult(
            index=index,
            start=start,
            end=end,
            text=text[start:end],
            verdict=verdict,
            facts=[],
            key_messages=[],
            avoid_topics=[],
            prohibited_claims=[],
            distortions=distortions,
        )

    counts = CheckCounts(sentences=2, consistent=0, distortion=1, unrelated=1, distortions_by_kind={"numeric": 1})
    return CheckResponse(
        kb_id="chengfeng-p5",
        kb_version=1,
        decision_version="test",
        lang="zh",
        sentences=[sentence(0, 0, first_end - 1, []), sentence(1, first_end, len(text), [distortion])],
        distortions=[distortion],
        key_messages_carried=[],
        key_messages_missed=[],
        avoid_topics_touched=[],
        counts=counts,
        consistency_score=0.0,
        corrected_text=text.replace("500毫升", "350毫升"),
        thresholds={},
    )


@pytest.mark.parametrize(("unit", "slice_"), [(OffsetUnit.UTF16, utf16_slice), (OffsetUnit.UTF8, utf8_slice)])
def test_every_span_of_a_response_is_converted(unit: OffsetUnit, slice_: Callable[[str, int, int], str]) -> None:
    text = "入手两周了🥤👩‍👩‍👧\n杯子𠮷能装500毫升。"
    original = _response(text)
    before = original.model_dump()
    converted = convert_response(original, text, unit)
    assert [slice_(text, s.start, s.end) for s in converted.sentences] == ["入手两周了🥤👩‍👩‍👧", "杯子𠮷能装500毫升。"]
    for distortion in [converted.distortions[0], converted.sentences[1].distortions[0]]:
        assert slice_(text, distortion.start, distortion.end) == "杯子𠮷能装500毫升。"
        assert distortion.edit is not None and slice_(text, distortion.edit.start, distortion.edit.end) == "500毫升"
    assert converted.corrected_text == original.corrected_text
    assert original.model_dump() == before  # the checker's (cached) objects are not changed


def test_code_points_and_text_without_wide_characters_are_returned_as_they_are() -> None:
    text = "入手两周了🥤\n杯子能装500毫升。"
    response = _response(text)
    assert convert_response(response, text, OffsetUnit.CODEPOINTS) is response
    bmp_only = "入手两周了。\n杯子能装500毫升。"
    bmp_response = _response(bmp_only)
    assert convert_response(bmp_response, bmp_only, OffsetUnit.UTF16) is bmp_response
    in_bytes = convert_response(bmp_response, bmp_only, OffsetUnit.UTF8)
    assert in_bytes.sentences[1].start == len("入手两周了。\n".encode())
