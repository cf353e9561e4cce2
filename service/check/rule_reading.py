"""Rule facts: which claims of a fact forbid a use and which require one.

A fact is a rule for use, care, storage, installation or who may use the product when one of its claims
forbids ("do not immerse", "请勿", "not for swimming", "不适合幼猫") or requires ("must", "须", "only with",
"仅适用于", an English clause opening with a verb of use: "Keep the vents clear"). A claim without cues of
its own continues the rule before it when only a comma or colon separates them ("must not be washed, rinsed
or vacuumed"; "须密封，存放于阴凉处"), unless it opens a new statement ("as it may tip", "以免...") or allows.

A clause breaks a rule when it performs what a claim forbids (asserted and affirmed against it) or leaves
out what a claim requires (negated, "never bother with the lock", "没做测试", or omitting, "skip", "懒得").
Repeating or agreeing with the rule breaks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from service.check.lexicons import alternation
from service.check.polarity import Polarity
from service.check.segmentation import Span

_LEXICON = "polarity.txt"

Side = Literal["forbids", "requires", ""]

_OBLIGATION = re.compile(
    alternation(_LEXICON, "obligation")
    # 请 that asks (请勿 forbids, 请问 asks);
    # 需 that is not 无需/所需 nor a duration ("约需1.5小时"), 应 that is not 应用/对应/适应/反应
    + r"|请(?!勿|问)|(?<![无所急必约只仅])需(?![要\d一二两三四五六七八九十半])"
    + r"|(?<![对适反响供相效感答回理])应(?![用对])",
    re.IGNORECASE,
)
_UNSUITABLE = re.compile(alternation(_LEXICON, "unsuitable"), re.IGNORECASE)
# An instruction opens with a verb of use and goes on with its object or a circumstance ("Clean the screen",
# "Store below 30 °C"); "Clean air delivery rate is..." opens with an adjective.
_USE_VERB_START = re.compile(
    rf"^\W*(?:(?:and|then|please|always|also)\s+)*(?:use\b|(?:{alternation(_LEXICON, 'use_verbs_en')})"
    r"\s+(?:the|it|them|a|an|your|this|that|these|those|all|both|each|any|at|only|with|within|every|on|in|into"
    r"|onto|from|off|out|up|down|away|below|above|before|after|when|whenever|once|regularly|completely|gently"
    r"|immediately|thoroughly|and|or)\b)",
    re.IGNORECASE,
)
_OMISSION = re.compile(alternation(_LEXICON, "omission"), re.IGNORECASE)
_NEW_STATEMENT = re.compile(rf"^\W*(?:{alternation(_LEXICON, 'new_statement')})", re.IGNORECASE)
_CONTINUATION_GAP = re.compile(r"[\s,，、:：]*")
_ENDS_STATEMENT = re.compile(r"[;；。.!！?？]\W*$")
# A permission ("may", "can", "可") allows: it continues no rule.
_PERMISSION = re.compile(r"\b(?:may|can|could)\b|^\W*可(?!能)", re.IGNORECASE)


def own_side(text: str, polarity: Polarity) -> Side:
    """What a claim says on its own: it forbids (a prohibition, an unsuitability), requires (an obligation, an
    instruction opening with a verb of use), or neither."""
    if polarity.prohibitive or _UNSUITABLE.search(text):
        return "forbids"
    if polarity.negated:
        return ""
    if _OBLIGATION.search(text) or _USE_VERB_START.search(text):
        return "requires"
    return ""


def rule_sides(text: str, spans: Sequence[Span], polarities: Sequence[Polarity]) -> list[Side]:
    """The side of each claim (``spans`` of the fact ``text``, with their polarities) in its fact: its own, or in
    a rule fact, for a claim without cues, the side of the rule just before it that it continues."""
    sides: list[Side] = [own_side(span.text, polarity) for span, polarity in zip(spans, polarities, strict=True)]
    if not any(sides):
        return sides
    for number, (span, polarity) in enumerate(zip(spans, polarities, strict=True)):
        if sides[number]:
            continue
        if number == 0 or polarity.cues or _NEW_STATEMENT.search(span.text) or _PERMISSION.search(span.text):
            continue
        previous = spans[number - 1]
        if (
            sides[number - 1]
            and not _ENDS_STATEMENT.search(previous.text)
            and _CONTINUATION_GAP.fullmatch(text[previous.end : span.start])
        ):
            sides[number] = sides[number - 1]
    return sides


def omits(text: str) -> bool:
    """Whether a clause says a step is left out ("skip the rinse", "懒得擦") without a negation cue."""
    return bool(_OMISSION.search(text))
