"""Negation, prohibition and restriction cues in Chinese and English.

``negated``: the clause denies something (不支持, 没有, cannot, never, no X at all).
``prohibitive``: it forbids or warns against something (请勿, 不可, 别, do not, must not, never + verb).
``restrictive``: it limits to a condition (只能, 仅限, only with, must use).
Idioms that look negative but are not denials ("没问题", "不错", "not bad", "no problem") are masked first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Polarity:
    """The polarity of a clause and where its cues are (start, end, cue)."""

    negated: bool
    prohibitive: bool
    restrictive: bool
    cues: tuple[tuple[int, int, str], ...]


# Positive or neutral idioms built from negation characters; masked before looking for cues.
_IDIOMS = re.compile(
    r"没有?什么问题|一?点?问题都?没有|没有问题|毫无问题|没问题|没事|没毛病|没得说|不错|不用担心|不必担心|不得不|不仅|不但|不光|不少|不久|不断地|不一会|无线|无论|"
    r"不过|不管|不如|不然|要不|不止|无比|无限|非常|并非不|"
    r"不到|不足|不超过|不低于|不高于|不少于|不多于|"  # bounds on figures, not denials
    r"\bno (?:problem|doubt|wonder|issues?|complaints?)\b|\bnot bad\b|\bnot only\b|\bnever mind\b|"
    r"\bno more than\b|\bnot more than\b|\bno less than\b|\bnot less than\b|\bno later than\b",
    re.IGNORECASE,
)
_PROHIBITIVE = re.compile(
    r"请勿|切勿|严禁|禁止|不得|不可|不能|不要|不宜|别|勿|避免|千万不要|"
    r"\b(?:do not|don't|dont|never|must not|mustn't|should not|shouldn't|may not|cannot be|can't be|"
    r"is not allowed|are not allowed|not allowed|not recommended|avoid|do n't)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"不支持|不具备|不带|不含|没有|没|无法|无需|不需要|不用|不会|不是|不能|不可|未|非|无|不|"
    r"\b(?:not|no|never|none|nothing|without|cannot|can't|cant|won't|wont|doesn't|doesnt|don't|dont|isn't|isnt|"
    r"aren't|arent|wasn't|weren't|hasn't|haven't|hadn't|didn't|didnt|shouldn't|wouldn't|couldn't|neither|nor)\b",
    re.IGNORECASE,
)
_RESTRICTIVE = re.compile(
    r"只能|仅能|仅限|仅支持|只支持|必须使用|请使用|请用|务必|\bonly (?:with|use|on|in)\b|\bmust (?:be )?use\b|"
    r"\bmust only\b|\bonly\b(?= [a-z]+ (?:the )?(?:included|supplied|original))",
    re.IGNORECASE,
)
# An imperative that starts the clause ("Never put...", "Don't use...", "别戴着...") forbids.
_CLAUSE_START_PROHIBITION = re.compile(
    r"^\s*(?:(?:please|but|and|so|also)\s+)?(?:never|do not|don't|dont|avoid|do n't)\b"
    r"|^\s*(?:但|但是|而且|也)?(?:别|不要|千万别|千万不要)",
    re.IGNORECASE,
)


def _mask(text: str) -> str:
    return _IDIOMS.sub(lambda m: " " * len(m.group()), text)


@lru_cache(maxsize=65536)
def analyse_polarity(text: str) -> Polarity:
    """Negation, prohibition and restriction in one clause (double negation cancels out)."""
    masked = _mask(text)
    cues: list[tuple[int, int, str]] = []
    prohibitive = False
    for match in _PROHIBITIVE.finditer(masked):
        cue = match.group().lower()
        # "never" and "cannot be" only forbid as a modal on a use ("must never be immersed", "never put");
        # "It never turns itself off" states a behaviour.
        if cue in ("never", "cannot be", "can't be") and not re.search(
            r"\b(?:must|should|please)\s+$|^\s*$", masked[: match.start()][-12:]
        ):
            continue
        if cue == "不能" and not _looks_like_rule(masked, match.start()):
            continue
        prohibitive = True
        cues.append((match.start(), match.end(), match.group()))
    if _CLAUSE_START_PROHIBITION.search(masked):
        prohibitive = True
    negations = [
        (m.start(), m.end(), m.group())
        for m in _NEGATION.finditer(masked)
        if not any(s <= m.start() < e for s, e, _ in cues)
    ]
    cues.extend(negations)
    negated = len(negations) % 2 == 1 or (prohibitive and not negations)
    restrictive = bool(_RESTRICTIVE.search(masked))
    return Polarity(
        negated=negated,
        prohibitive=prohibitive,
        restrictive=restrictive,
        cues=tuple(sorted(cues)),
    )


def _looks_like_rule(text: str, position: int) -> bool:
    """不能 forbids in a rule ("不能浸水", "，但不能..."), but denies ability elsewhere ("不能连三台设备").
    不可 always forbids."""
    before = text[:position]
    return position == 0 or bool(re.search(r"[,，;；:：]\s*(?:但|但是)?\s*$|但$|但是$|^\s*$|请$", before))
