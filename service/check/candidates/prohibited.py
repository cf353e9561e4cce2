"""Prohibited claims: a clause close to a claim the brand must never make, asserted and not denied.

Close means a similarity from ``prohibited_min`` on, or from ``prohibited_shared_min`` on when the clause
also uses a word only that prohibited claim uses (cure, 治愈). A negated clause makes the claim too when
it uses such a word and what it denies is the harm and not the effect: "she never got sunburnt again"
implies that it prevents sunburn; "it doesn't prevent sunburn" and "it is not a sunblock" deny the claim. An
affirmative clause reporting physical damage (屏幕碎了, "it cracked") makes no claim that denies that damage
(永不碎裂, "never cracks").
The correction drops the whole sentence.
"""

from __future__ import annotations

import re

from service.check.candidates.distortion import clause_distortion
from service.check.lexicons import alternation, entries
from service.check.profile import KnowledgeBaseProfile, Target
from service.check.retrieval import Unit
from service.check.schemas import Distortion, DistortionKind, Edit
from service.check.segmentation import Span
from service.check.wording import Wording
from service.settings import CheckThresholds

_LEXICON = "efficacy.txt"


def _cue_pattern(section: str) -> re.Pattern[str]:
    """A lexicon's cues of ``section``: Chinese anywhere, English stems at the start of a word."""
    english = "|".join(re.escape(stem) for stem in entries(_LEXICON, f"{section}_en"))
    return re.compile(f"(?:{alternation(_LEXICON, f'{section}_zh')})|\\b(?:{english})", re.IGNORECASE)


_EFFECT = _cue_pattern("effects")  # a verb of effect (cures, 治愈)
_SAYING = _cue_pattern("saying")  # a verb of saying (claimed, 宣传)
_COPULAS = frozenset({"不是", "isn't", "isnt", "aren't", "arent", "wasn't", "weren't"})
# "is not", "'s not", and "no cream is": the negation denies what something is.
_COPULA_BEFORE = re.compile(r"(?:\bis|\bare|\bwas|\bwere|'s|'re)\s*$", re.IGNORECASE)
_COPULA_AFTER = re.compile(r"^\s*(?:\w+\s+){0,2}(?:is|are)\b", re.IGNORECASE)


def denies_claim(text: str, cue: str, cue_start: int, cue_end: int) -> bool:
    """Whether a negated clause denies the claim itself rather than a harm: it names a verb of effect
    ("doesn't cure", "治不好", "没能缓解"), its negation governs a verb of saying ("从没承诺过X", "never
    promised") or is a copula ("is not a", "不是", "no cream is"). "一年都没长过痘" and "never got a rash again"
    deny the harm."""
    lowered = cue.lower()
    copula = (
        lowered in _COPULAS
        or (lowered == "not" and bool(_COPULA_BEFORE.search(text[:cue_start])))
        or (lowered == "no" and bool(_COPULA_AFTER.search(text[cue_end:])))
    )
    return copula or bool(_EFFECT.search(text) or _SAYING.search(text, cue_end))


_DAMAGE_ZH = frozenset(entries(_LEXICON, "damage_zh"))
_DAMAGE_EN = re.compile(
    r"\b(?:" + "|".join(re.escape(stem) for stem in entries(_LEXICON, "damage_en")) + r")\w*", re.IGNORECASE
)


def denied_damage(text: str, polarity_cues: tuple[tuple[int, int, str], ...]) -> bool:
    """Whether a claim worded as a denial denies physical damage: a damage word right after one of its negation
    cues ("摔不坏", "永不碎裂", "never cracks", "won't break")."""
    for _, end, _ in polarity_cues:
        rest = text[end : end + 12]
        if rest[:1] in _DAMAGE_ZH or (rest[1:2] in _DAMAGE_ZH and rest[:1] in "会會能易被"):
            return True
        if _DAMAGE_EN.match(rest.lstrip()) or (re.match(r"\s*(?:be|get|ever)\s+", rest) and _DAMAGE_EN.search(rest)):
            return True
    return False


def reports_damage(text: str) -> bool:
    """Whether a clause names physical damage ("屏幕碎了", "有一道裂缝", "it cracked")."""
    return any(char in text for char in _DAMAGE_ZH) or bool(_DAMAGE_EN.search(text))


class ProhibitedClaims:
    """Proposes the ``prohibited`` candidates of a clause."""

    def __init__(self, thresholds: CheckThresholds, wording: Wording) -> None:
        self.thresholds = thresholds
        self.wording = wording

    def propose(self, profile: KnowledgeBaseProfile, unit: Unit, sentence: Span) -> list[Distortion]:
        """The prohibited claims the clause makes; marks ``unit.prohibited`` when it makes one. ``sentence`` is
        the clause's sentence at offset 0 (the correction drops all of it)."""
        if not unit.polarity.asserted:
            return []
        found = []
        plain = self.wording.plain(profile, unit.span.text)
        for target, score in zip(profile.prohibited, unit.prohibited_scores, strict=True):
            shared = bool(self.wording.terms(plain) & target.distinctive_terms)
            if unit.polarity.negated and not self._agrees_negated(unit, target, shared):
                continue
            if not unit.polarity.negated and reports_damage(unit.span.text) and self._denies_damage(target):
                continue  # "屏幕碎了" against "屏幕永不碎裂": the damage happened, so no claim that it never does
            if score >= self.thresholds.prohibited_min or (score >= self.thresholds.prohibited_shared_min and shared):
                unit.prohibited = True
                found.append(
                    clause_distortion(
                        DistortionKind.PROHIBITED,
                        target.item_id,
                        target.text,
                        unit,
                        f"makes a claim the brand must never make: “{target.text}”",
                        "",
                        score,
                        edit=Edit(start=sentence.start, end=sentence.end, text=""),  # drop the whole sentence
                    )
                )
        return found

    def _denies_damage(self, target: Target) -> bool:
        polarity = self.wording.polarity(target.text, None)
        return polarity.negated and denied_damage(target.text, polarity.cues)

    def _agrees_negated(self, unit: Unit, target: Target, shared: bool) -> bool:
        """Whether a negated clause still makes ``target``: it denies the claim's harm (a word of the claim's own)
        rather than its effect. A clause that forbids makes no claim. Resemblance alone is not enough, even to a
        claim worded as a denial: a complaint that the harm happened resembles "it never happens" as closely."""
        cues = unit.polarity.cues
        if unit.polarity.prohibitive or not cues or denies_claim(unit.span.text, cues[0][2], cues[0][0], cues[0][1]):
            return False
        return shared
