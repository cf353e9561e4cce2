"""What one sentence yields on its own: its candidates with their evidence, and what it matches.

Everything in it depends on the sentence's text and the knowledge-base version only, with offsets from the
sentence's start, so the same sentence in another post reuses it (posts repeat).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from service.check.decision import Features
from service.check.evidence import Candidate, TargetCandidate
from service.check.schemas import Distortion, Match


def candidate_key(distortion: Distortion) -> str:
    """What a distortion is of: its fact or prohibited claim, or its kind when it has none (absolute)."""
    return distortion.fact_id or f"kind:{distortion.kind.value}"


@dataclass
class SentenceAnalysis:
    """What a sentence yields on its own, with offsets from the sentence's start: its distortions, what it
    matches, and what its clauses carry."""

    candidates: list[Candidate]  # every distortion proposed, with its evidence
    facts: list[Match]
    key_messages: list[Match]
    avoid_topics: list[Match]
    prohibited_claims: list[Match]
    carries: list[TargetCandidate]  # key messages its clauses may carry: score, evidence
    touches: list[TargetCandidate]  # avoid-topics its clauses may touch, likewise

    def rows(self) -> Iterator[tuple[str, str, Features]]:
        """Every candidate as (family, key, features)."""
        for distortion, features in self.candidates:
            yield distortion.kind.value, candidate_key(distortion), features
        for message, _, features in self.carries:
            yield "message", message.item_id, features
        for topic, _, features in self.touches:
            yield "topic", topic.item_id, features
