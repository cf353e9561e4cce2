"""Retrieval: the facts near each sentence and clause of a batch, and each clause's scores against them.

Texts are embedded once each (a text the clause splitter leaves whole by the model, one it splits as the
mean of its clauses' vectors), facts are searched for each distinct text once (hybrid dense + lexical in
the store, results cached per knowledge-base version), and each clause of a sentence becomes a
:class:`Unit`: its polarity, its cosine and combined (cosine + lexical) score with every claim of the facts
found for it or its sentence, its similarity to each key message, avoid-topic and prohibited claim, and
what the NLI head reads between it and its nearest claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from knowledge_base.lru import LruCache
from knowledge_base.models import ItemKind, KnowledgeBase
from knowledge_base.repository import Embedder, KnowledgeBaseRepository
from service.check.commerce import talks_deals
from service.check.nli import NliHead
from service.check.polarity import Polarity
from service.check.profile import KnowledgeBaseProfile, strip_names
from service.check.segmentation import Span, detect_language
from service.check.wording import Wording
from service.settings import CheckThresholds

Vector = np.ndarray[Any, np.dtype[np.float32]]


@dataclass
class Unit:
    """A clause of a sentence and its scores against the knowledge base, while the sentence is analysed."""

    span: Span  # offsets from the sentence's start
    polarity: Polarity
    claim_scores: dict[int, float] = field(default_factory=dict)  # claim index → combined score
    claim_cosines: dict[int, float] = field(default_factory=dict)
    about: set[int] = field(default_factory=set)  # claims whose figures the clause's figures were compared with
    prohibited: bool = False
    opposed: frozenset[str] = frozenset()  # facts the clause is a contradiction candidate of
    deal_talk: bool = False  # talks of a price comparison or a deal
    message_scores: tuple[float, ...] = ()  # similarity to each key message (its best part)
    topic_scores: tuple[float, ...] = ()  # similarity to each avoid-topic (its best part)
    topic_centred: tuple[float, ...] = ()  # the same, once what the product's facts share is taken out
    prohibited_scores: tuple[float, ...] = ()  # similarity to each prohibited claim
    lang: str = ""  # the clause's own language
    nli: dict[int, tuple[float, float]] = field(default_factory=dict)  # claim → P(entails), P(contradicts)

    def best_claim(self) -> tuple[int, float] | None:
        """The claim the clause scores highest with, and that score (None when no claim was found)."""
        if not self.claim_scores:
            return None
        index = max(self.claim_scores, key=self.claim_scores.__getitem__)
        return index, self.claim_scores[index]

    def best_cosine(self) -> float:
        """The clause's highest cosine with any claim found for it (0 when none was)."""
        return max(self.claim_cosines.values(), default=0.0)


def normalised_means(vectors: Vector, groups: list[list[int]]) -> Vector:
    """Per group of rows of ``vectors``, the unit vector of their mean (zero for an empty group)."""
    means = np.zeros((len(groups), vectors.shape[1]), np.float32)
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    filled = sizes > 0
    if filled.any():
        sums = np.add.reduceat(vectors[[row for group in groups for row in group]], (np.cumsum(sizes) - sizes)[filled])
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        means[filled] = sums / np.where(norms > 0, norms, 1.0)
    return means


class Retrieval:
    """Embeds a batch's sentences and clauses, finds the facts near each, and scores each clause."""

    def __init__(
        self,
        repository: KnowledgeBaseRepository,
        embedder: Embedder,
        thresholds: CheckThresholds,
        wording: Wording,
        nli: NliHead | None,
    ) -> None:
        self.repository = repository
        self.embedder = embedder
        self.thresholds = thresholds
        self.wording = wording
        self.nli = nli
        # Retrieval results of recently seen texts, per knowledge-base version (posts repeat).
        self.hits: LruCache[tuple[str, int, str, str], list[str]] = LruCache(50_000)

    def fact_ids_near(self, kb_id: str, texts: Sequence[str]) -> list[list[str]]:
        """The ids of the facts retrieval finds nearest each text."""
        return self.repository.nearest_ids(kb_id, texts, kinds=[ItemKind.FACT], limit=self.thresholds.fact_candidates)

    def search_facts(self, kb: KnowledgeBase, texts: list[str], vectors: Vector) -> list[list[str]]:
        """The ids of each text's candidate facts, from the cache or one batched hybrid query for the rest."""
        collection = self.repository.items_collection
        keys = [(kb.id, kb.version, collection, text) for text in texts]
        found = self.hits.get_many(keys)
        missing = [index for index, ids in enumerate(found) if ids is None]
        if missing:
            fresh = self.repository.nearest_ids(
                kb.id,
                [texts[index] for index in missing],
                kinds=[ItemKind.FACT],
                limit=self.thresholds.fact_candidates,
                vectors=vectors[missing],
            )
            for index, ids in zip(missing, fresh, strict=True):
                found[index] = ids
            self.hits.put_many((keys[index], ids) for index, ids in zip(missing, fresh, strict=True))
        return [ids if ids is not None else [] for ids in found]

    def unit_vectors(self, profile: KnowledgeBaseProfile, texts: list[str]) -> Vector:
        """One unit vector per sentence or clause text, a function of the text alone: the model's vector of a
        text the clause splitter leaves whole, the normalised mean of its clauses' vectors for one it splits.

        A sentence's vector only adds candidate facts to those its clauses retrieve (claims are scored against
        clause vectors) and goes into the post's vector; encoding a sentence of several clauses as well would
        encode its text twice, and clauses recur across posts far more often than whole sentences do."""
        split: dict[str, list[str]] = {}
        for text in texts:
            parts = [clause.text for clause in self.wording.clauses(text)]
            if parts != [text]:
                split[text] = parts
        encoded = list(dict.fromkeys([*(text for text in texts if text not in split), *chain(*split.values())]))
        if not encoded:
            return np.zeros((len(texts), self.embedder.dimension), np.float32)
        row = {text: index for index, text in enumerate(encoded)}
        model_vectors = self.embedder.encode([strip_names(profile.names, text) for text in encoded])
        means = normalised_means(model_vectors, [[row[part] for part in parts] for parts in split.values()])
        mean_of = dict(zip(split, means, strict=True))
        return np.stack([mean_of[text] if text in split else model_vectors[row[text]] for text in texts])

    def units(
        self,
        profile: KnowledgeBaseProfile,
        sentence: Span,
        sentence_row: int,
        clauses: list[tuple[int, Span]],
        vectors: Vector,
        hits: Sequence[Sequence[str]],
    ) -> list[Unit]:
        """The sentence's clauses as units scored against the claims of the facts found for each clause or for
        the sentence (rows of ``vectors`` and ``hits``: ``sentence_row`` and each clause's own row)."""
        th = self.thresholds
        units: list[Unit] = []
        clause_vectors = vectors[[row for row, _ in clauses]]
        message_scores, topic_scores, prohibited_scores = profile.target_scores(clause_vectors)
        topic_centred = profile.centred_topic_scores(clause_vectors)
        for position, (row, clause) in enumerate(clauses):
            span = Span(clause.start - sentence.start, clause.end - sentence.start, clause.text)
            vector = vectors[row]
            unit = Unit(
                span,
                self.wording.polarity(span.text, sentence.text),
                deal_talk=talks_deals(span.text),
                message_scores=tuple(message_scores[position]),
                topic_scores=tuple(topic_scores[position]),
                topic_centred=tuple(topic_centred[position]),
                prohibited_scores=tuple(prohibited_scores[position]),
                lang=detect_language(span.text),
            )
            plain = self.wording.plain(profile, span.text)
            # In retrieval order, not a set's: claims that score the same (facts sharing a clause) are then
            # ranked the same way in every process (a set of strings iterates in a per-process order).
            nearby = [
                claim_index
                for fact_id in dict.fromkeys([*hits[row], *hits[sentence_row]])
                for claim_index in profile.claims_of_fact.get(fact_id, [])
            ]
            for claim_index, cosine in zip(nearby, profile.claim_cosines(vector, nearby), strict=True):
                unit.claim_cosines[claim_index] = cosine
                unit.claim_scores[claim_index] = cosine + th.lexical_weight * self.wording.overlap(
                    plain, self.wording.plain(profile, profile.claims[claim_index].text)
                )
            units.append(unit)
        self._read_inference(profile, units, clause_vectors)
        return units

    def _read_inference(self, profile: KnowledgeBaseProfile, units: list[Unit], vectors: Vector) -> None:
        """Whether each clause entails or contradicts each of its nearest claims, from the NLI head on the
        frozen sentence vectors (a weak signal alone; one piece of evidence among the others); the pairs of
        all the sentence's clauses in one pass of the head."""
        if self.nli is None:
            return
        pairs: list[tuple[Unit, int, int]] = []  # (clause, claim index, row of the clause's vector)
        for row, unit in enumerate(units):
            nearest = sorted(unit.claim_cosines, key=lambda i: -unit.claim_cosines[i])[: self.thresholds.nli_claims]
            pairs.extend((unit, i, row) for i in nearest if profile.claims[i].vector is not None)
        if not pairs:
            return
        premises = np.stack([profile.claims[i].vector for _, i, _ in pairs])  # type: ignore[misc]
        scores = self.nli.scores(premises, vectors[[row for _, _, row in pairs]])
        for (unit, index, _), (entails, _, contradicts) in zip(pairs, scores.tolist(), strict=True):
            unit.nli[index] = (entails, contradicts)
