"""Rules and polarity: a clause's polarity against its nearest claims.

A clause that performs what a claim of a rule fact forbids is a ``usage`` candidate (``rule_reading`` tells
which claims forbid, also where a list continues a prohibition: "must not be washed, rinsed or vacuumed"; a
fact that allows one thing and forbids a neighbour, "the cup is washable, but the base must not be
immersed", is read by the words distinctive to each side). Affirming what a claim denies, or denying what
it affirms, is a ``contradiction`` candidate when the clause speaks of what the claim speaks of.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.check.candidates.distortion import clause_distortion
from service.check.profile import Claim, KnowledgeBaseProfile
from service.check.quantities import same_attribute
from service.check.retrieval import Unit
from service.check.rule_reading import Side, omits
from service.check.schemas import Distortion, DistortionKind
from service.check.terms import weighted_overlap
from service.check.wording import Wording
from service.settings import CheckThresholds


def broken_side(unit: Unit) -> Side:
    """Which side of a rule the clause would break: a use it performs breaks what ``forbids`` it, a step it
    leaves out what ``requires`` it; a clause that forbids or warns itself repeats a rule (``""``)."""
    content = unit.polarity
    if content.prohibitive or not content.asserted:
        return ""
    return "requires" if content.negated or omits(unit.span.text) else "forbids"


@dataclass(frozen=True)
class RuleReading:
    """A clause against the rule of one fact: the claim on the side it would break, that side, how much nearer
    the clause is to it than to the fact's other claims (those it keeps), and how much of what the claim governs
    (its words after the cue, weighted by how distinctive they are) the clause speaks of."""

    claim: Claim
    side: Side
    margin: float
    governed: float


def read_rule(profile: KnowledgeBaseProfile, unit: Unit, fact_id: str, wording: Wording) -> RuleReading | None:
    """The clause against the rule of ``fact_id``: None when the fact has no claim on the side the clause
    would break."""
    side = broken_side(unit)
    if not side:
        return None
    claims = [profile.claims[i] for i in profile.claims_of_fact.get(fact_id, []) if i in unit.claim_cosines]
    on_side = [claim for claim in claims if claim.rule == side]
    if not on_side:
        return None
    rule = max(on_side, key=lambda claim: unit.claim_cosines[claim.index])
    kept = max((unit.claim_cosines[c.index] for c in claims if c.rule != side), default=0.0)
    clause_terms = wording.terms_without_cues(profile, unit.span.text, unit.polarity)
    governed = weighted_overlap(
        wording.scope_terms(profile, rule.text, rule.polarity), clause_terms, profile.term_weight
    )
    return RuleReading(rule, side, unit.claim_cosines[rule.index] - kept, governed)


class Rules:
    """Proposes the ``usage`` and ``contradiction`` candidates of a clause."""

    def __init__(self, thresholds: CheckThresholds, wording: Wording) -> None:
        self.thresholds = thresholds
        self.wording = wording

    def propose(self, profile: KnowledgeBaseProfile, unit: Unit) -> list[Distortion]:
        """The candidates against the clause's few nearest claims of different facts, not only its best:
        which one it is about is the decision's to weigh (their cosines and coverage are its evidence)."""
        found: list[Distortion] = []
        seen: set[str] = set()
        for index in sorted(unit.claim_scores, key=lambda i: (-unit.claim_scores[i], i)):
            fact_id = profile.claims[index].fact_id
            if fact_id in seen:
                continue
            seen.add(fact_id)
            polarity_distortion = self._polarity(profile, unit, index)
            if polarity_distortion is not None:
                found.append(polarity_distortion)
            if len(seen) >= self.thresholds.polarity_candidates:
                break
        return found

    def _polarity(self, profile: KnowledgeBaseProfile, unit: Unit, index: int) -> Distortion | None:
        """The clause against one claim and its fact: a broken rule, a contradiction, or nothing."""
        th = self.thresholds
        score = unit.claim_scores[index]
        claim = profile.claims[index]
        cosine = unit.claim_cosines[index]
        content = unit.polarity
        if cosine < th.claim_floor or content.prohibitive or not content.asserted:
            return None
        side = broken_side(unit)
        if side == "forbids" and claim.rule != "forbids":
            sibling = self._forbidden_sibling(profile, unit, claim)
            if sibling is not None:
                claim, score, cosine = sibling, unit.claim_scores[sibling.index], th.usage_min
        if side == "forbids" and claim.rule == "forbids":
            if cosine < th.usage_min or self._figure_rule(profile, unit, claim):
                return None  # a forbidden use with a figure is judged by the figure (see candidates.figures)
            return self._usage(unit, claim, score)
        if claim.rule == "forbids" or content.negated == claim.polarity.negated:
            return None
        # Opposite polarity is a contradiction only when the clause speaks of what the claim speaks of:
        # most of its content words (negation removed) occur in the claim.
        # ...or when what the denying side's negation governs is what the other side speaks of ("the seams need
        # sealing" against "no seam sealing is needed"), however much else the clause says.
        if (
            self.wording.coverage(profile, unit.span.text, content, claim.text) < th.contradiction_coverage
            and self.wording.scope_covered(profile, unit.span.text, content, claim.text, claim.polarity)
            < th.contradiction_scope
        ):
            return None
        says = "denies" if content.negated else "affirms"
        official = "affirms" if content.negated else "denies"
        return clause_distortion(
            DistortionKind.CONTRADICTION,
            claim.fact_id,
            claim.fact_text,
            unit,
            f"{says} what the official fact {official}: “{claim.text}”",
            claim.fact_text,
            score,
        )

    @staticmethod
    def _usage(unit: Unit, claim: Claim, score: float) -> Distortion:
        """The clause as a ``usage`` candidate performing what ``claim`` forbids."""
        explanation = f"recommends or describes a use the official facts forbid: “{claim.text}”"
        return clause_distortion(
            DistortionKind.USAGE, claim.fact_id, claim.fact_text, unit, explanation, claim.fact_text, score
        )

    def _forbidden_sibling(self, profile: KnowledgeBaseProfile, unit: Unit, allowed: Claim) -> Claim | None:
        """A fact often allows one thing and forbids a neighbour ("the cup is washable, but the base must not be
        immersed"). Dense similarity sees the shared activity; the words distinctive to each side (base vs cup)
        tell which one the clause is about."""
        clause = self.wording.terms(self.wording.plain(profile, unit.span.text))
        allowed_terms = self.wording.terms(self.wording.plain(profile, allowed.text))
        for index in profile.claims_of_fact[allowed.fact_id]:
            other = profile.claims[index]
            if other.rule != "forbids" or unit.claim_cosines.get(index, 0.0) < self.thresholds.claim_floor:
                continue
            other_terms = self.wording.terms(self.wording.plain(profile, other.text))
            if clause & (other_terms - allowed_terms) and not clause & (allowed_terms - other_terms):
                return other
        return None

    def _figure_rule(self, profile: KnowledgeBaseProfile, unit: Unit, rule: Claim) -> bool:
        """Whether the clause states a figure the rule's figures measure: the figure is judged against the rule
        (see candidates.figures), not the words."""
        return any(
            same_attribute(claimed, official)
            for claimed in self.wording.figures(profile, unit.span.text)
            for official in rule.quantities
        )
