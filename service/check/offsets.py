"""Offsets of a check response in the unit a client asks for.

The checker counts code points (Python's ``str`` indices). JavaScript strings and the Language Server
Protocol count UTF-16 code units, and byte-oriented clients count UTF-8 bytes; a character outside the
Basic Multilingual Plane (most emoji, 𠮷) is 1 code point, 2 UTF-16 units and 4 bytes. The response is
converted once it is assembled, so the checker's own logic stays in code points.
"""

from __future__ import annotations

from itertools import accumulate

from service.check.schemas import CheckResponse, Distortion, Edit, OffsetUnit, SentenceResult


def _utf16_width(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _utf8_width(char: str) -> int:
    # By code point rather than str.encode, which raises on a lone surrogate (a str may hold one, though the
    # app's JSON decoder refuses them); it counts 3, as in surrogatepass.
    point = ord(char)
    return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4


def offset_table(text: str, unit: OffsetUnit) -> list[int]:
    """``table[i]`` is code-point offset ``i`` of ``text`` counted in ``unit``, for ``0 <= i <= len(text)``."""
    if unit is OffsetUnit.CODEPOINTS:
        return list(range(len(text) + 1))
    width = _utf16_width if unit is OffsetUnit.UTF16 else _utf8_width
    return list(accumulate(map(width, text), initial=0))


def _edit(edit: Edit | None, table: list[int]) -> Edit | None:
    if edit is None:
        return None
    return edit.model_copy(update={"start": table[edit.start], "end": table[edit.end]})


def _distortion(distortion: Distortion, table: list[int]) -> Distortion:
    update = {"start": table[distortion.start], "end": table[distortion.end], "edit": _edit(distortion.edit, table)}
    return distortion.model_copy(update=update)


def _sentence(sentence: SentenceResult, table: list[int]) -> SentenceResult:
    update = {
        "start": table[sentence.start],
        "end": table[sentence.end],
        "distortions": [_distortion(d, table) for d in sentence.distortions],
    }
    return sentence.model_copy(update=update)


def convert_response(response: CheckResponse, text: str, unit: OffsetUnit) -> CheckResponse:
    """``response`` (the check of ``text``, offsets in code points) with every offset counted in ``unit``:
    sentence, distortion and edit spans. A new response: the checker's cached analyses are left as they are."""
    if unit is OffsetUnit.CODEPOINTS:
        return response
    table = offset_table(text, unit)
    if table[-1] == len(text):  # every character is one unit (ASCII, or BMP-only text in UTF-16)
        return response
    return response.model_copy(
        update={
            "sentences": [_sentence(s, table) for s in response.sentences],
            "distortions": [_distortion(d, table) for d in response.distortions],
        }
    )
