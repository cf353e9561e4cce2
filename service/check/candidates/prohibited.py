"""Prohibited claims: a clause close to a claim the brand must never make, asserted and not negated.

Close means a similarity from ``prohibited_min`` on, or from ``prohibited_shared_min`` on when the clause
also uses a word only that prohibited claim uses (cure, 治愈). The correction drops the whole sentence.
"""

from __future__ import annotations

from service.check.candidates.distortion import clause_distortion
from service.check.profile import KnowledgeBaseProfile
from service.check.retrieval import Unit
from service.check.schemas import Distortion, DistortionKind, Edit
from service.check.segmentation import Span
from service.check.wording import Wording
from service.settings import CheckThresholds


class ProhibitedClaims:
    """Proposes the ``prohibited`` candidates of a clause."""

    def __init__(self, thresholds: CheckThresholds, wording: Wording) -> None:
        self.thresholds = thresholds
        self.wording = wording

    def propose(self, profile: KnowledgeBaseProfile, unit: Unit, sentence: Span) -> list[Distortion]:
        """The prohibited claims the clause makes; marks ``unit.prohibited`` when it makes one. ``sentence`` is
        the clause's sentence at offset 0 (the correction drops all of it)."""
        if unit.polarity.negated or not unit.polarity.asserted:
            return []
        found = []
        plain = self.wording.plain(profile, unit.span.text)
        for target, score in zip(profile.prohibited, unit.prohibited_scores, strict=True):
            if score >= self.thresholds.prohibited_min or (
                score >= self.thresholds.prohibited_shared_min and self.wording.terms(plain) & target.distinctive_terms
            ):
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
