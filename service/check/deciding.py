"""The fitted decision applied to one post: which of its candidates are reported, and how confidently.

A post's candidates for one key (a fact and kind, absolute claims, a key message, an avoid-topic) are one
bag of evidence (``decision.bag_features``); the decision model turns each bag into a probability, and a bag
is reported from its family's threshold on. A fact's most confident kind is the one reported, at the
candidate that scores best (every term, for absolute claims); a message or topic at the sentence that
scores best.
"""

from __future__ import annotations

from typing import Any

from service.check.decision import DecisionModel, Features, bag_features
from service.check.evidence import TargetCandidate
from service.check.profile import Target
from service.check.schemas import Distortion, DistortionKind
from service.check.segmentation import Span
from service.check.sentence import SentenceAnalysis, candidate_key

# Kind precedence when one clause distorts one fact in several ways.
KIND_RANK = {
    DistortionKind.PROHIBITED: 0,
    DistortionKind.CONTRADICTION: 1,
    DistortionKind.USAGE: 2,
    DistortionKind.NUMERIC: 3,
    DistortionKind.ABSOLUTE: 4,
}


def decided_distortions(
    decision: DecisionModel, analyses: list[SentenceAnalysis], min_confidence: float | None
) -> list[list[Distortion]]:
    """Per sentence, the distortions reported, with their confidence, still at offsets from the sentence's
    start and in order of position (then of kind)."""
    bags: dict[tuple[str, str], list[tuple[int, Distortion, Features]]] = {}
    for index, analysis in enumerate(analyses):
        for distortion, features in analysis.candidates:
            bag = (candidate_key(distortion), distortion.kind.value)
            bags.setdefault(bag, []).append((index, distortion, features))
    best: dict[str, tuple[float, str]] = {}
    for (key, family), members in bags.items():
        confidence = decision.probability(family, bag_features(f for _, _, f in members), key)
        if key not in best or (confidence, -KIND_RANK[DistortionKind(family)]) > (
            best[key][0],
            -KIND_RANK[DistortionKind(best[key][1])],
        ):
            best[key] = (confidence, family)
    per_sentence: list[list[Distortion]] = [[] for _ in analyses]
    for key, (confidence, family) in best.items():
        if confidence < decision.threshold(family, min_confidence):
            continue
        members = bags[(key, family)]
        if family != DistortionKind.ABSOLUTE.value:
            members = [max(members, key=lambda member: member[1].score)]  # the first of equals
        for index, distortion, _ in members:
            per_sentence[index].append(distortion.model_copy(update={"confidence": round(confidence, 4)}))
    for found in per_sentence:
        found.sort(key=lambda d: (d.start, KIND_RANK[d.kind]))
    return per_sentence


def decided_targets(
    decision: DecisionModel,
    sentences: list[Span],
    per_sentence: list[list[TargetCandidate]],
    family: str,
    min_confidence: float | None,
) -> list[dict[str, Any]]:
    """The messages (or topics) a post carries: each one's candidates are one bag, reported from the
    threshold on, at the sentence that scores best (the first of equals)."""
    bags: dict[str, list[tuple[int, Target, float, Features]]] = {}
    for index, candidates in enumerate(per_sentence):
        for target, score, features in candidates:
            bags.setdefault(target.item_id, []).append((index, target, score, features))
    found = []
    for item_id, members in bags.items():
        confidence = decision.probability(family, bag_features(m[3] for m in members))
        if confidence >= decision.threshold(family, min_confidence):
            index, target, score, _ = max(members, key=lambda m: (m[2], -m[0]))
            found.append(
                {
                    "id": item_id,
                    "text": target.text,
                    "sentence_index": index,
                    "sentence": sentences[index].text,
                    "score": round(score, 4),
                    "confidence": round(confidence, 4),
                }
            )
    return found
