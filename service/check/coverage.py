"""Message and topic coverage: what a post carries and touches, and what each sentence matches.

A key message is carried (an avoid-topic touched) when the decision reports the bag of its candidates; the
post's messages and topics are given in the knowledge base's order. A sentence's matches list the facts
nearest its clauses and the messages, topics and prohibited claims they come close to.
"""

from __future__ import annotations

from service.check.deciding import decided_targets
from service.check.decision import DecisionModel
from service.check.profile import KnowledgeBaseProfile, Target
from service.check.retrieval import Unit
from service.check.schemas import CarriedMessage, Match, TouchedTopic
from service.check.segmentation import Span
from service.check.sentence import SentenceAnalysis
from service.kb_admin.schemas import Section
from service.settings import CheckThresholds


def messages_and_topics(
    decision: DecisionModel,
    profile: KnowledgeBaseProfile,
    sentences: list[Span],
    analyses: list[SentenceAnalysis],
    min_confidence: float | None,
) -> tuple[list[CarriedMessage], list[TouchedTopic]]:
    """Each key message carried and avoid-topic touched, in the knowledge base's order."""
    carried = [
        CarriedMessage(**found)
        for found in decided_targets(decision, sentences, [a.carries for a in analyses], "message", min_confidence)
    ]
    touched = [
        TouchedTopic(**found)
        for found in decided_targets(decision, sentences, [a.touches for a in analyses], "topic", min_confidence)
    ]
    order = {m.id: i for i, m in enumerate(profile.kb.key_messages)}
    topic_order = {a.id: i for i, a in enumerate(profile.kb.avoid_topics)}
    return (
        sorted(carried, key=lambda m: order[m.id]),
        sorted(touched, key=lambda t: topic_order[t.id]),
    )


def sentence_matches(
    profile: KnowledgeBaseProfile, units: list[Unit], thresholds: CheckThresholds
) -> tuple[list[Match], list[Match], list[Match], list[Match]]:
    """A sentence's matches: its nearest facts, and the key messages, avoid-topics and prohibited claims its
    clauses come close to."""
    return (
        fact_matches(profile, units),
        target_matches(
            profile.messages, Section.KEY_MESSAGES, [u.message_scores for u in units], thresholds.on_topic_min
        ),
        target_matches(
            profile.avoid_topics, Section.AVOID_TOPICS, [u.topic_scores for u in units], thresholds.avoid_min
        ),
        target_matches(
            profile.prohibited,
            Section.PROHIBITED_CLAIMS,
            [u.prohibited_scores for u in units],
            thresholds.on_topic_min,
        ),
    )


def fact_matches(profile: KnowledgeBaseProfile, units: list[Unit], limit: int = 3) -> list[Match]:
    """The ``limit`` facts nearest the sentence's units (by their best claim's cosine), nearest first."""
    best: dict[str, float] = {}
    for unit in units:
        for index, cosine in unit.claim_cosines.items():
            fact_id = profile.claims[index].fact_id
            best[fact_id] = max(best.get(fact_id, -1.0), cosine)
    top = sorted(best.items(), key=lambda pair: -pair[1])[:limit]
    return [
        Match(section=Section.FACTS, id=fact_id, text=profile.facts[fact_id].text, score=round(score, 4))
        for fact_id, score in top
    ]


def target_matches(
    targets: list[Target], section: Section, unit_scores: list[tuple[float, ...]], floor: float
) -> list[Match]:
    """The targets whose best score over the sentence's units reaches ``floor``, best first."""
    matches = []
    for position, target in enumerate(targets):
        score = max((scores[position] for scores in unit_scores), default=0.0)
        if score >= floor:
            matches.append(Match(section=section, id=target.item_id, text=target.text, score=round(score, 4)))
    return sorted(matches, key=lambda m: -m.score)
