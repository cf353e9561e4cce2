"""Figures: a figure a clause states against the figures of the fact claim it speaks about.

A figure is read in its whole sentence (the context tells a sale price from a temperature) and compared
with the claim it is about (value, unit, bound and condition): one that differs beyond the tolerance is a
``numeric`` candidate, unless it is right for another condition of the same fact; one inside a range a rule
forbids ("over 60°C") is a ``usage`` candidate; "no sugar at all" against "up to 40% less sugar" overstates
a reduction (``numeric``).
"""

from __future__ import annotations

import dataclasses
import math

from service.check.candidates.distortion import clause_distortion
from service.check.profile import Claim, KnowledgeBaseProfile
from service.check.quantities import (
    Quantity,
    about_other_condition,
    compare,
    quotes_spec,
    same_attribute,
    shares_attribute,
    substitute,
)
from service.check.retrieval import Unit
from service.check.schemas import Distortion, DistortionKind, Edit
from service.check.segmentation import Span
from service.check.wording import Wording
from service.settings import CheckThresholds

# Attributes a duration is always said to measure ("charges in", "standby", "warranty"): never a bare figure.
_ALWAYS_NAMED = frozenset({"charging", "standby", "talk_time", "auto_off", "warranty"})


def _ratio(a: Quantity, b: Quantity) -> float:
    """How many times apart two figures are (zero counts as a tiny value)."""
    x, y = max(abs(a.value), 1e-6), max(abs(b.value), 1e-6)
    return max(x / y, y / x)


def _as_official(quantity: Quantity, claim: Claim) -> Quantity:
    """A figure the claim states as a maximum ("maximum temperature is 200°C") is an upper bound."""
    if claim.states_maximum and quantity.bound == "exact":
        return dataclasses.replace(quantity, bound="at_most", low=None, high=quantity.value)
    return quantity


def _a_difference(claimed: Quantity, profile: KnowledgeBaseProfile, claim: Claim) -> bool:
    """Whether the price is the gap between two prices of the claim's fact ("the large one costs ¥300
    more", "saved $40 by taking the small one"): a difference of two official figures, not a wrong level.
    Only prices are told as such gaps; a duration or a weight that equals one is a level ("quick cook in 15
    minutes" against 30 and 45)."""
    if claimed.dimension != "currency":
        return False
    siblings = [
        o
        for index in profile.claims_of_fact[claim.fact_id]
        for o in profile.claims[index].quantities
        if o.dimension == claimed.dimension and o.kind == claimed.kind
    ]
    return any(
        abs(abs(a.value - b.value) - claimed.value) <= 0.02 * max(abs(claimed.value), 1e-9)
        for i, a in enumerate(siblings)
        for b in siblings[i + 1 :]
        if not math.isclose(a.value, b.value)
    )


def _score_headed_claims(profile: KnowledgeBaseProfile, unit: Unit) -> None:
    """A clause near a fact's heading ("循环寿命:", "Warranty:") is as near to the figures the heading
    introduces: the fact's other claims get the heading's scores where theirs are lower."""
    for index in list(unit.claim_scores):
        claim = profile.claims[index]
        if claim.quantities or claim.number != 0:
            continue
        after = claim.fact_text[len(claim.text) :].lstrip()[:1] if claim.fact_text.startswith(claim.text) else ""
        if after not in (":", "："):
            continue
        for sibling in profile.claims_of_fact[claim.fact_id]:
            if unit.claim_scores.get(sibling, -1.0) < unit.claim_scores[index]:
                unit.claim_scores[sibling] = unit.claim_scores[index]
                unit.claim_cosines[sibling] = max(unit.claim_cosines.get(sibling, -1.0), unit.claim_cosines[index])


# How long the product lasts in use: what a writer lives through, under conditions of their own.
_ENDURANCE = frozenset({"runtime", "standby", "talk_time", "wear"})


def _short_of_endurance(claimed: Quantity, official: Quantity, sentence: str) -> bool:
    """Whether the figure is a battery life, standby, talk or wear time below the official one, not quoted as
    the spec ("一般能用两三天" against "待机12天", "mine lasts 6 hours" against 10): the writer's experience of
    their own use, not a claim about the product's figure. Above the official one it overstates; a charging
    time shorter than the official one overstates too."""
    attributes = claimed.attribute & official.attribute
    if not attributes or not attributes <= _ENDURANCE or claimed.attribute - _ENDURANCE:
        return False
    most = claimed.high if claimed.high is not None else claimed.value
    least = official.low if official.low is not None else official.value
    return most < least and not quotes_spec(sentence)


def _conditions(quantity: Quantity) -> frozenset[str]:
    """The named conditions (quick, wired, smoke...) of a figure's stretch of text."""
    return frozenset(term for term in quantity.context if term.startswith("@"))


class Figures:
    """Proposes the ``numeric`` (and figure ``usage``) candidates of a clause."""

    def __init__(self, thresholds: CheckThresholds, wording: Wording) -> None:
        self.thresholds = thresholds
        self.wording = wording

    def propose(self, profile: KnowledgeBaseProfile, unit: Unit, sentence: Span) -> list[Distortion]:
        """The clause's figures that differ from (or break a rule of) the claim each speaks about; marks the
        claims compared in ``unit.about``. ``sentence`` is the clause's sentence at offset 0."""
        found: list[Distortion] = []
        if not unit.polarity.asserted:  # a figure asked about or debunked is not stated
            return found
        # Figures are read in the whole sentence (its context tells a sale price or a temperature) and kept
        # when they fall in this clause; offsets become clause-relative.
        offset = unit.span.start - sentence.start
        in_sentence = self.wording.figures(profile, sentence.text)
        figures = [
            dataclasses.replace(q, start=q.start - offset, end=q.end - offset)
            for q in in_sentence
            if q.start >= offset and q.end <= offset + len(unit.span.text)
        ]
        if not figures:
            return found
        # The headings' scores lent to their figures are for this comparison only, not for the other mechanisms:
        # the comparison reads a copy of the clause's scores (it shares ``about`` with the clause).
        lent = dataclasses.replace(unit, claim_scores=dict(unit.claim_scores), claim_cosines=dict(unit.claim_cosines))
        _score_headed_claims(profile, lent)
        found.extend(self._compared(profile, lent, sentence, figures, offset))
        return found

    def _compared(
        self, profile: KnowledgeBaseProfile, unit: Unit, sentence: Span, figures: list[Quantity], offset: int
    ) -> list[Distortion]:
        """The candidates of the clause's figures (offsets clause-relative), once the claims are scored."""
        th = self.thresholds
        found: list[Distortion] = []
        for claimed in figures:
            if claimed.kind in ("version", "rating"):
                continue
            if claimed.kind == "zero":
                zero = self._zero_claim(profile, unit, claimed)
                if zero is not None:
                    found.append(zero)
                continue
            best_index = self._claim_for_figure(profile, unit, claimed)
            if best_index is None:
                continue
            best_score = unit.claim_scores[best_index]
            unit.about.add(best_index)
            claim = profile.claims[best_index]
            officials = [_as_official(o, claim) for o in claim.quantities if same_attribute(claimed, o)]
            if not officials:
                # The clause names another condition of the fact ("the filter" against "the unit: 3 years;
                # filters and tanks: 1 year"): compare with the claim of that condition.
                claim = self._sibling_for(profile, claim, claimed) or claim
                officials = [_as_official(o, claim) for o in claim.quantities if same_attribute(claimed, o)]
            verdicts = [compare(claimed, official, th.rel_tolerance) for official in officials]
            if claim.polarity.prohibitive:
                # A rule forbids a range ("超过5V/2A", "over 60°C"): a figure inside it breaks the rule.
                bounded = [
                    o for o, v in zip(officials, verdicts, strict=True) if v == "consistent" and o.bound != "exact"
                ]
                if not bounded or unit.polarity.negated or unit.polarity.prohibitive:
                    continue
                explanation = f"uses {claimed.text.strip()}, which the official rule forbids: “{claim.text}”"
                found.append(
                    clause_distortion(
                        DistortionKind.USAGE,
                        claim.fact_id,
                        claim.fact_text,
                        unit,
                        explanation,
                        claim.fact_text,
                        best_score,
                        claimed,
                        bounded[0],
                    )
                )
                continue
            if "consistent" in verdicts or "differs" not in verdicts:
                continue
            official = officials[verdicts.index("differs")]
            if _short_of_endurance(claimed, official, sentence.text):
                continue
            if _a_difference(claimed, profile, claim):
                continue
            # The figure may be right for another condition of the same fact (total with the case vs
            # one charge): flag it only when the clause is clearly about this claim's condition.
            other = self._other_condition(profile, claim, claimed)
            if other is not None and best_score - unit.claim_scores.get(other.index, 0.0) < th.condition_margin:
                continue
            explanation = f"states {claimed.text.strip()}; official: {official.text.strip()} (“{claim.text}”)"
            if other is not None:
                explanation += f"; {claimed.text.strip()} applies to another condition (“{other.text}”)"
            shifted = dataclasses.replace(claimed, start=claimed.start + offset, end=claimed.end + offset)
            correction = substitute(sentence.text, shifted, official)
            edit = Edit(
                start=sentence.start + shifted.start,
                end=sentence.start + shifted.end,
                text=correction[shifted.start : len(correction) - (len(sentence.text) - shifted.end)],
            )
            found.append(
                clause_distortion(
                    DistortionKind.NUMERIC,
                    claim.fact_id,
                    claim.fact_text,
                    unit,
                    explanation,
                    correction,
                    best_score,
                    claimed,
                    official,
                    edit,
                    marks=frozenset({"other_condition"}) if other is not None else frozenset(),
                )
            )
        return found

    def _claim_for_figure(self, profile: KnowledgeBaseProfile, unit: Unit, claimed: Quantity) -> int | None:
        """The claim a figure in the clause speaks about, if any.

        When one claim in the knowledge base measures this dimension, the unit names the attribute (watts
        are the rated power). When several do (durations of charging, playing, warranty), the clause must
        share a content word with the claim or be close to it, and figures of similar size are preferred."""
        th = self.thresholds
        candidates = [
            index
            for index in unit.claim_scores
            if any(
                same_attribute(claimed, official) and _ratio(claimed, official) <= th.max_ratio
                for official in profile.claims[index].quantities
            )
        ]
        if profile.several_claims_measure(claimed) and unit.lang != profile.kb.lang:
            # Across languages no word can be shared: take the comparable claims near the clause's best.
            ceiling = unit.best_cosine()
            candidates = [
                index
                for index in candidates
                if unit.claim_cosines[index] >= max(th.claim_floor, ceiling - th.cross_lingual_margin)
            ]
        elif profile.several_claims_measure(claimed):
            plain = self.wording.plain(profile, unit.span.text)
            candidates = [
                index
                for index in candidates
                if unit.claim_cosines[index] >= th.numeric_shared_min
                or (
                    unit.claim_cosines[index] >= th.claim_floor
                    and (
                        self.wording.shares_term(plain, self.wording.plain(profile, profile.claims[index].text))
                        or shares_attribute(claimed, profile.claims[index].quantities)
                    )
                )
            ]
        else:
            candidates = [index for index in candidates if unit.claim_cosines[index] >= th.claim_floor]
        if claimed.dimension == "time" and not claimed.attribute and profile.several_claims_measure(claimed):
            # A duration that does not say what it measures ("two hours, about") is not a charging, standby,
            # talk, auto-off or warranty time: those are always said as such.
            candidates = [
                index
                for index in candidates
                if any(
                    same_attribute(claimed, official) and not official.attribute & _ALWAYS_NAMED
                    for official in profile.claims[index].quantities
                )
            ]
        candidates = self._without_restatements(profile, unit, candidates)
        if not candidates:
            return None

        in_clause = sum(same_attribute(claimed, other) for other in self.wording.figures(profile, unit.span.text))
        conditions = _conditions(claimed)

        def preference(index: int) -> float:
            comparable = [o for o in profile.claims[index].quantities if same_attribute(claimed, o)]
            ratios = [
                abs(math.log(max(abs(claimed.value), 1e-6) / max(abs(official.value), 1e-6))) for official in comparable
            ]
            # "charge 5 min, play 3 h" has the shape of "charge 10 min for 2 h of play"
            shape = th.shape_weight if in_clause > 1 and len(comparable) == in_clause else 0.0
            # "quick wash takes 5 kg" is about the quick-wash figure, not the full load's
            named = th.condition_weight if any(conditions & _conditions(o) for o in comparable) else 0.0
            return unit.claim_scores[index] - th.magnitude_weight * min(ratios, default=0.0) + shape + named

        return max(candidates, key=preference)

    def _without_restatements(self, profile: KnowledgeBaseProfile, unit: Unit, candidates: list[int]) -> list[int]:
        """The candidates with each claim that repeats an earlier fact's figures replaced by that fact's claim,
        unless the clause names what sets the repeating fact apart (its variant)."""
        plain: frozenset[str] | None = None
        kept: list[int] = []
        for index in candidates:
            original = profile.claims[index].restates
            if original is not None:
                if plain is None:
                    plain = self.wording.terms(self.wording.plain(profile, unit.span.text))
                claim = profile.claims[index]
                own = self.wording.terms(self.wording.plain(profile, claim.fact_text)) - self.wording.terms(
                    self.wording.plain(profile, profile.claims[original].fact_text)
                )
                if not plain & own and original in unit.claim_scores:
                    index = original
            if index not in kept:
                kept.append(index)
        return kept

    @staticmethod
    def _sibling_for(profile: KnowledgeBaseProfile, claim: Claim, claimed: Quantity) -> Claim | None:
        """The other claim of the fact whose figure the claimed one is about, when the claim's own comparable
        figures are all of another condition."""
        if not any(about_other_condition(claimed, o) for o in claim.quantities):
            return None
        for index in profile.claims_of_fact[claim.fact_id]:
            other = profile.claims[index]
            if other is not claim and any(same_attribute(claimed, o) for o in other.quantities):
                return other
        return None

    @staticmethod
    def _other_condition(profile: KnowledgeBaseProfile, claim: Claim, claimed: Quantity) -> Claim | None:
        """Another claim of the same fact for which the figure is right (32 h with the case, not per charge)."""
        for index in profile.claims_of_fact[claim.fact_id]:
            other = profile.claims[index]
            if other is claim:
                continue
            for official in other.quantities:
                if (
                    same_attribute(claimed, official)
                    and compare(claimed, _as_official(official, other)) == "consistent"
                ):
                    return other
        return None

    def _zero_claim(self, profile: KnowledgeBaseProfile, unit: Unit, claimed: Quantity) -> Distortion | None:
        """'No sugar at all' against 'up to 40% less sugar': the claim overstates a reduction."""
        noun_terms = self.wording.terms(claimed.counted or "")
        for index, score in sorted(unit.claim_scores.items(), key=lambda pair: -pair[1])[:3]:
            if unit.claim_cosines[index] < self.thresholds.claim_floor:
                continue
            claim = profile.claims[index]
            if not noun_terms or not noun_terms & self.wording.terms(claim.text):
                continue
            percents = [q for q in claim.quantities if q.kind == "percent" and 0 < q.value < 100]
            if percents:
                official = percents[0]
                explanation = f"states {claimed.text.strip()}; official: {official.text.strip()} (“{claim.text}”)"
                return clause_distortion(
                    DistortionKind.NUMERIC,
                    claim.fact_id,
                    claim.fact_text,
                    unit,
                    explanation,
                    claim.fact_text,
                    score,
                    claimed,
                    official,
                )
        return None
