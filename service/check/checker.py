"""The check: flag distortions in a piece of content and report which key messages it carries.

For each sentence and clause: embed it, retrieve the nearest facts (hybrid dense + lexical search in
the store), pick the fact claim it is about, then compare explicitly what embeddings cannot:

- figures (value, unit, bound and condition) against the claim's figures: ``numeric``;
- polarity against the claim: affirming what a fact denies or denying what it affirms: ``contradiction``;
- an affirmed use against a claim that forbids it (or a figure beyond a forbidden bound): ``usage``;
- similarity to a prohibited claim, not negated: ``prohibited``;
- the absolute-claims lexicon: ``absolute``.

Key messages are carried when a clause is about a fact claim the message rests on, or is close to the
message itself (and closer to it than to any fact). Avoid-topics work the same way with their sub-topics.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np

from knowledge_base.lru import LruCache
from knowledge_base.models import ItemKind, KnowledgeBase
from knowledge_base.repository import Embedder, KnowledgeBaseRepository
from service.check.absolute import find_absolute_claims, neutral_wording, reword
from service.check.commerce import is_price_topic, talks_deals
from service.check.cues import Cues, cues_of
from service.check.decision import DecisionModel, DecisionModels, Features, bag_features
from service.check.nli import default_nli_head
from service.check.polarity import Polarity, analyse_polarity
from service.check.profile import Claim, KnowledgeBaseProfile, ProfileCache, Target, blank_names, strip_names
from service.check.quantities import (
    Quantity,
    compare,
    extract_quantities,
    same_attribute,
    shares_attribute,
    substitute,
)
from service.check.schemas import (
    CarriedMessage,
    CheckCounts,
    CheckResponse,
    Distortion,
    DistortionKind,
    Edit,
    Figure,
    ItemRef,
    Match,
    SentenceResult,
    TouchedTopic,
    Verdict,
)
from service.check.script import restore_response, to_simplified
from service.check.segmentation import Span, detect_language, split_clauses, split_sentences
from service.check.terms import content_terms, overlap, shares_term, weighted_overlap
from service.kb_admin.schemas import Section
from service.settings import CheckThresholds

Vector = np.ndarray[Any, np.dtype[np.float32]]

_BARE_SUPERLATIVE = re.compile(r"最[\u4e00-\u9fff]{1,2}|(?:the\s+)?best", re.IGNORECASE)

# Kind precedence when one clause distorts one fact in several ways.
_KIND_RANK = {
    DistortionKind.PROHIBITED: 0,
    DistortionKind.CONTRADICTION: 1,
    DistortionKind.USAGE: 2,
    DistortionKind.NUMERIC: 3,
    DistortionKind.ABSOLUTE: 4,
}


@dataclass
class _Unit:
    """A clause of a sentence and its scores against the knowledge base, while the sentence is analysed."""

    span: Span  # offsets from the sentence's start
    polarity: Polarity
    claim_scores: dict[int, float] = field(default_factory=dict)  # claim index → combined score
    claim_cosines: dict[int, float] = field(default_factory=dict)
    about: set[int] = field(default_factory=set)  # claims whose figures the clause's figures were compared with
    prohibited: bool = False
    deal_talk: bool = False  # talks of a price comparison or a deal
    message_scores: tuple[float, ...] = ()  # similarity to each key message (its best part)
    topic_scores: tuple[float, ...] = ()  # similarity to each avoid-topic (its best part)
    prohibited_scores: tuple[float, ...] = ()  # similarity to each prohibited claim
    lang: str = ""  # the clause's own language
    nli: dict[int, tuple[float, float]] = field(default_factory=dict)  # claim → P(entails), P(contradicts)

    def best_claim(self) -> tuple[int, float] | None:
        if not self.claim_scores:
            return None
        index = max(self.claim_scores, key=self.claim_scores.__getitem__)
        return index, self.claim_scores[index]

    def best_cosine(self) -> float:
        return max(self.claim_cosines.values(), default=0.0)


@dataclass
class _SentenceAnalysis:
    """What a sentence yields on its own, with offsets from the sentence's start: its distortions, what it
    matches, and what its clauses carry. The same sentence in another post reuses it (posts repeat)."""

    candidates: list[tuple[Distortion, Features]]  # every distortion proposed, with its evidence
    facts: list[Match]
    key_messages: list[Match]
    avoid_topics: list[Match]
    prohibited_claims: list[Match]
    carries: list[tuple[Target, float, Features]]  # key messages its clauses may carry: score, evidence
    touches: list[tuple[Target, float, Features]]  # avoid-topics its clauses may touch, likewise

    def rows(self) -> Iterator[tuple[str, str, Features]]:
        """Every candidate as (family, key, features)."""
        for distortion, features in self.candidates:
            yield distortion.kind.value, _key(distortion), features
        for message, _, features in self.carries:
            yield "message", message.item_id, features
        for topic, _, features in self.touches:
            yield "topic", topic.item_id, features


def _key(distortion: Distortion) -> str:
    """What a distortion is of: its fact or prohibited claim, or its kind when it has none (absolute)."""
    return distortion.fact_id or f"kind:{distortion.kind.value}"


def _shifted(distortion: Distortion, shift: int) -> Distortion:
    """A copy of a distortion found at offset 0, moved to where its sentence starts."""
    edit = distortion.edit
    return distortion.model_copy(
        update={
            "start": distortion.start + shift,
            "end": distortion.end + shift,
            "edit": edit.model_copy(update={"start": edit.start + shift, "end": edit.end + shift}) if edit else None,
        }
    )


@lru_cache(maxsize=65536)
def _clauses_of(sentence: str) -> tuple[Span, ...]:
    """The clauses of a sentence, with offsets from its start (sentences recur across posts)."""
    return tuple(split_clauses(Span(0, len(sentence), sentence)) or [Span(0, len(sentence), sentence)])


@lru_cache(maxsize=65536)
def _plain_text(names: re.Pattern[str] | None, text: str) -> str:
    """``text`` without brand/model names and figures (a count keeps its noun)."""
    chars = list(blank_names(names, text))
    for quantity in extract_quantities("".join(chars)):
        end = quantity.end
        if quantity.kind == "count" and quantity.counted and quantity.counted in quantity.text.lower():
            end = quantity.start + quantity.text.lower().rfind(quantity.counted)
        chars[quantity.start : end] = [" "] * (end - quantity.start)
    return "".join(chars)


def _normalised_means(vectors: Vector, groups: list[list[int]]) -> Vector:
    """Per group of rows of ``vectors``, the unit vector of their mean (zero for an empty group)."""
    means = np.zeros((len(groups), vectors.shape[1]), np.float32)
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    filled = sizes > 0
    if filled.any():
        sums = np.add.reduceat(vectors[[row for group in groups for row in group]], (np.cumsum(sizes) - sizes)[filled])
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        means[filled] = sums / np.where(norms > 0, norms, 1.0)
    return means


def _ratio(a: Quantity, b: Quantity) -> float:
    """How many times apart two figures are (zero counts as a tiny value)."""
    x, y = max(abs(a.value), 1e-6), max(abs(b.value), 1e-6)
    return max(x / y, y / x)


def _figure(quantity: Quantity) -> Figure:
    return Figure(text=quantity.text, value=quantity.value, unit=quantity.unit, bound=quantity.bound)


def _as_official(quantity: Quantity, claim: Claim) -> Quantity:
    """A figure the claim states as a maximum ("maximum temperature is 200°C") is an upper bound."""
    if claim.states_maximum and quantity.bound == "exact":
        return dataclasses.replace(quantity, bound="at_most", low=None, high=quantity.value)
    return quantity


class Checker:
    """Checks content against a knowledge base; one instance serves every request."""

    def __init__(
        self,
        repository: KnowledgeBaseRepository,
        embedder: Embedder,
        thresholds: CheckThresholds,
        decision: DecisionModel | DecisionModels | None = None,
        min_confidence: float | None = None,
    ) -> None:
        self.repository = repository
        self.embedder = embedder
        self.thresholds = thresholds
        self.decisions = DecisionModels.of(decision)  # each knowledge base's decision (its own, or the shared)
        self.min_confidence = min_confidence  # None: each family's fitted threshold
        head = default_nli_head()
        # The head reads the bundled model's vectors; with another model its evidence is left out.
        self.nli = head if head.meta.get("model") == embedder.model_id else None
        self.profiles = ProfileCache(embedder, self._fact_ids_near, repository.claim_vectors)
        # Retrieval results of recently seen texts, and the analyses of recently seen sentences, per
        # knowledge-base version (posts repeat).
        self._hits: LruCache[tuple[str, int, str, str], list[str]] = LruCache(50_000)
        self._sentences: LruCache[tuple[str, int, str], _SentenceAnalysis] = LruCache(50_000)

    @property
    def decision(self) -> DecisionModel:
        """The decision of the knowledge base being checked (outside a check: the shared one)."""
        return self.decisions.current()

    @property
    def hits_cache_size(self) -> int:
        """How many texts' retrieval results are kept (0: none)."""
        return self._hits.size

    @hits_cache_size.setter
    def hits_cache_size(self, size: int) -> None:
        self._hits.size = size

    @property
    def sentence_cache_size(self) -> int:
        """How many sentences' analyses are kept (0: none)."""
        return self._sentences.size

    @sentence_cache_size.setter
    def sentence_cache_size(self, size: int) -> None:
        self._sentences.size = size

    def _search_facts(self, kb: KnowledgeBase, texts: list[str], vectors: Vector) -> list[list[str]]:
        """The ids of each text's candidate facts, from the cache or one batched hybrid query for the rest."""
        collection = self.repository.items_collection
        keys = [(kb.id, kb.version, collection, text) for text in texts]
        found = self._hits.get_many(keys)
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
            self._hits.put_many((keys[index], ids) for index, ids in zip(missing, fresh, strict=True))
        return [ids if ids is not None else [] for ids in found]

    def _fact_ids_near(self, kb_id: str, texts: Sequence[str]) -> list[list[str]]:
        """The ids of the facts retrieval finds nearest each text."""
        return self.repository.nearest_ids(kb_id, texts, kinds=[ItemKind.FACT], limit=self.thresholds.fact_candidates)

    def check(
        self, kb_id: str, text: str, lang: str | None = None, min_confidence: float | None = None
    ) -> CheckResponse:
        """Check one piece of content; ``min_confidence`` overrides the service's (and the fitted) threshold."""
        return self.check_many(kb_id, [text], [lang], min_confidence)[0]

    def check_many(
        self,
        kb_id: str,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        min_confidence: float | None = None,
    ) -> list[CheckResponse]:
        """Check several pieces of content in one batch (one encode, one batch of store queries)."""
        return self.check_batch(kb_id, texts, langs, min_confidence)[0]

    def evidence(self, kb_id: str, texts: Sequence[str]) -> list[list[tuple[str, str, Features]]]:
        """Per post, every candidate the mechanisms propose as (family, key, features): what training reads."""
        self.check_batch(kb_id, texts)
        kb = self.repository.get(kb_id)
        found = []
        for text in texts:
            sentences, _ = self._segment(to_simplified(text))  # analysed (and cached) as Simplified
            rows: list[tuple[str, str, Features]] = []
            for sentence in sentences:
                cached = self._sentences.get((kb.id, kb.version, sentence.text))
                if cached is None:
                    raise RuntimeError("the sentence cache is too small to read a batch's evidence back")
                rows.extend(cached.rows())
            found.append(rows)
        return found

    def check_batch(
        self,
        kb_id: str,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        min_confidence: float | None = None,
    ) -> tuple[list[CheckResponse], Vector]:
        """Check a batch of posts; also returns one unit vector per post (the mean of its sentences'),
        for novelty and near-duplicate analysis without a second encode."""
        with self.decisions.checking(kb_id):  # the knowledge base's own decision, if it has one
            return self._check_batch(kb_id, texts, langs, min_confidence)

    def _check_batch(
        self,
        kb_id: str,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        min_confidence: float | None = None,
    ) -> tuple[list[CheckResponse], Vector]:
        if min_confidence is None:
            min_confidence = self.min_confidence
        kb = self.repository.get(kb_id)
        profile = self.profiles.get(kb)
        langs = list(langs) if langs is not None else [None] * len(texts)
        # Traditional Chinese is analysed as Simplified (the knowledge bases' script), offset for offset; each
        # response is given back the post's own characters below.
        originals, texts = texts, [to_simplified(text) for text in texts]
        documents = [self._segment(text) for text in texts]
        units_text: list[str] = []
        for sentences, clauses in documents:
            units_text.extend(sentence.text for sentence in sentences)
            units_text.extend(clause.text for _, clause in clauses)
        # A one-clause sentence is its own clause, and community posts repeat: search each distinct text once.
        distinct = list(dict.fromkeys(units_text))
        position = {text: index for index, text in enumerate(distinct)}
        rows = [position[text] for text in units_text]
        distinct_vectors = self._unit_vectors(profile, distinct)
        distinct_hits = (
            self._search_facts(kb, distinct, distinct_vectors)
            if distinct and profile.claims
            else [[] for _ in distinct]
        )
        profile.ensure_vectors(fact_id for found in distinct_hits for fact_id in found)
        vectors = distinct_vectors[rows] if rows else distinct_vectors
        hits = [distinct_hits[row] for row in rows]
        results = []
        offset = 0
        for (sentences, clauses), text, lang in zip(documents, texts, langs, strict=True):
            count = len(sentences) + len(clauses)
            results.append(
                self._check_document(
                    kb,
                    profile,
                    text,
                    lang,
                    sentences,
                    clauses,
                    vectors[offset : offset + count],
                    hits[offset : offset + count],
                    min_confidence,
                )
            )
            offset += count
        results = [
            restore_response(r, o, t, self._corrected_text) for r, o, t in zip(results, originals, texts, strict=True)
        ]
        return results, _normalised_means(distinct_vectors, [[position[s.text] for s in doc[0]] for doc in documents])

    def _unit_vectors(self, profile: KnowledgeBaseProfile, texts: list[str]) -> Vector:
        """One unit vector per sentence or clause text, a function of the text alone: the model's vector of a
        text the clause splitter leaves whole, the normalised mean of its clauses' vectors for one it splits.

        A sentence's vector only adds candidate facts to those its clauses retrieve (claims are scored against
        clause vectors) and goes into the post's vector; encoding a sentence of several clauses as well would
        encode its text twice, and clauses recur across posts far more often than whole sentences do."""
        split: dict[str, list[str]] = {}
        for text in texts:
            parts = [clause.text for clause in _clauses_of(text)]
            if parts != [text]:
                split[text] = parts
        encoded = list(dict.fromkeys([*(text for text in texts if text not in split), *chain(*split.values())]))
        if not encoded:
            return np.zeros((len(texts), self.embedder.dimension), np.float32)
        row = {text: index for index, text in enumerate(encoded)}
        model_vectors = self.embedder.encode([strip_names(profile.names, text) for text in encoded])
        means = _normalised_means(model_vectors, [[row[part] for part in parts] for parts in split.values()])
        mean_of = dict(zip(split, means, strict=True))
        return np.stack([mean_of[text] if text in split else model_vectors[row[text]] for text in texts])

    @staticmethod
    def _segment(text: str) -> tuple[list[Span], list[tuple[int, Span]]]:
        sentences = split_sentences(text)
        clauses = [
            (index, Span(sentence.start + clause.start, sentence.start + clause.end, clause.text))
            for index, sentence in enumerate(sentences)
            for clause in _clauses_of(sentence.text)
        ]
        return sentences, clauses

    # -- one document ---------------------------------------------------------------------------

    def _check_document(
        self,
        kb: KnowledgeBase,
        profile: KnowledgeBaseProfile,
        text: str,
        lang: str | None,
        sentences: list[Span],
        clauses: list[tuple[int, Span]],
        vectors: Vector,
        hits: Sequence[Sequence[str]],
        min_confidence: float | None,
    ) -> CheckResponse:
        analyses: list[_SentenceAnalysis] = []
        # Rows of ``vectors`` and ``hits``: the sentences, then the clauses.
        clauses_of: dict[int, list[tuple[int, Span]]] = {index: [] for index in range(len(sentences))}
        for position, (sentence_index, clause) in enumerate(clauses):
            clauses_of[sentence_index].append((len(sentences) + position, clause))
        for index, sentence in enumerate(sentences):
            analysis = self._sentence_analysis(kb, profile, sentence, index, clauses_of[index], vectors, hits)
            analyses.append(analysis)
        per_sentence = self._decided_distortions(sentences, analyses, min_confidence)
        carried, touched = self._messages_and_topics(profile, sentences, analyses, min_confidence)
        sentence_results = self._sentence_results(sentences, analyses, per_sentence, carried)
        distortions = [d for result in sentence_results for d in result.distortions]
        counts = CheckCounts(
            sentences=len(sentence_results),
            consistent=sum(r.verdict is Verdict.CONSISTENT for r in sentence_results),
            distortion=sum(r.verdict is Verdict.DISTORTION for r in sentence_results),
            unrelated=sum(r.verdict is Verdict.UNRELATED for r in sentence_results),
            distortions_by_kind={
                kind.value: n for kind in DistortionKind if (n := sum(d.kind is kind for d in distortions))
            },
        )
        on_topic = counts.consistent + counts.distortion
        carried_ids = {message.id for message in carried}
        return CheckResponse(
            kb_id=kb.id,
            kb_version=kb.version,
            lang=lang or detect_language(text),
            sentences=sentence_results,
            distortions=distortions,
            key_messages_carried=carried,
            key_messages_missed=[ItemRef(id=m.id, text=m.text) for m in kb.key_messages if m.id not in carried_ids],
            avoid_topics_touched=touched,
            counts=counts,
            consistency_score=round(counts.consistent / on_topic, 4) if on_topic else 1.0,
            corrected_text=self._corrected_text(text, sentences, per_sentence),
            thresholds=self.thresholds.model_dump(),
            decision_version=self.decision.version,
        )

    def _sentence_analysis(
        self,
        kb: KnowledgeBase,
        profile: KnowledgeBaseProfile,
        sentence: Span,
        sentence_row: int,
        clauses: list[tuple[int, Span]],
        vectors: Vector,
        hits: Sequence[Sequence[str]],
    ) -> _SentenceAnalysis:
        """The sentence's analysis from the cache, or made now (everything in it depends on the sentence's
        text and the knowledge-base version only)."""
        key = (kb.id, kb.version, sentence.text)
        cached = self._sentences.get(key)
        if cached is not None:
            return cached
        th = self.thresholds
        local = Span(0, len(sentence.text), sentence.text)
        units: list[_Unit] = []
        message_scores, topic_scores, prohibited_scores = profile.target_scores(vectors[[row for row, _ in clauses]])
        for position, (row, clause) in enumerate(clauses):
            span = Span(clause.start - sentence.start, clause.end - sentence.start, clause.text)
            vector = vectors[row]
            unit = _Unit(
                span,
                analyse_polarity(span.text, sentence.text),
                deal_talk=talks_deals(span.text),
                message_scores=tuple(message_scores[position]),
                topic_scores=tuple(topic_scores[position]),
                prohibited_scores=tuple(prohibited_scores[position]),
                lang=detect_language(span.text),
            )
            plain = self._plain(profile, span.text)
            # In retrieval order, not a set's: claims that score the same (facts sharing a clause) are then
            # ranked the same way in every process (a set of strings iterates in a per-process order).
            nearby = [
                claim_index
                for fact_id in dict.fromkeys([*hits[row], *hits[sentence_row]])
                for claim_index in profile.claims_of_fact.get(fact_id, [])
            ]
            for claim_index, cosine in zip(nearby, profile.claim_cosines(vector, nearby), strict=True):
                unit.claim_cosines[claim_index] = cosine
                unit.claim_scores[claim_index] = cosine + th.lexical_weight * overlap(
                    plain, self._plain(profile, profile.claims[claim_index].text)
                )
            self._read_inference(profile, unit, vector)
            units.append(unit)
        cues = cues_of(sentence.text)
        names_product = float(bool(profile.names and profile.names.search(sentence.text)))
        about_product = max((unit.best_cosine() for unit in units), default=0.0)
        candidates: list[tuple[Distortion, Features]] = []
        for unit in units:
            for distortion in self._distortions(profile, unit, local):
                candidates.append((distortion, self._distortion_features(profile, unit, distortion, cues)))
        for distortion in self._absolutes(kb, local):
            features = {
                "about_product": about_product,
                "names_product": names_product,
                "negated": float(any(u.polarity.negated for u in units)),
                "term_chars": math.log1p(distortion.end - distortion.start),
                # a bare 最 + adjective or "the best" is often a bound, a feeling or a downside; a fixed term rarely is
                "bare_superlative": float(
                    bool(_BARE_SUPERLATIVE.fullmatch(sentence.text[distortion.start : distortion.end].strip()))
                ),
                **self._cue_features(cues),
            }
            candidates.append((distortion, features))
        carries: list[tuple[Target, float, Features]] = []
        touches: list[tuple[Target, float, Features]] = []
        sentence_negated = float(bool(analyse_polarity(sentence.text).cues))
        for unit in units:
            unit_carries, unit_touches = self._unit_targets(profile, unit, cues, sentence_negated)
            carries.extend(unit_carries)
            touches.extend(unit_touches)
        analysis = _SentenceAnalysis(
            candidates=candidates,
            facts=self._fact_matches(profile, units),
            key_messages=self._target_matches(
                profile.messages, Section.KEY_MESSAGES, [u.message_scores for u in units], th.on_topic_min
            ),
            avoid_topics=self._target_matches(
                profile.avoid_topics, Section.AVOID_TOPICS, [u.topic_scores for u in units], th.avoid_min
            ),
            prohibited_claims=self._target_matches(
                profile.prohibited,
                Section.PROHIBITED_CLAIMS,
                [u.prohibited_scores for u in units],
                th.on_topic_min,
            ),
            carries=carries,
            touches=touches,
        )
        self._sentences.put(key, analysis)
        return analysis

    # -- the decision ---------------------------------------------------------------------------

    def _read_inference(self, profile: KnowledgeBaseProfile, unit: _Unit, vector: Vector) -> None:
        """Whether the clause entails or contradicts each of its nearest claims, from the NLI head on the
        frozen sentence vectors (a weak signal alone; one piece of evidence among the others)."""
        nearest = sorted(unit.claim_cosines, key=lambda i: -unit.claim_cosines[i])[: self.thresholds.nli_claims]
        claims = [i for i in nearest if profile.claims[i].vector is not None]
        if self.nli is None or not claims:
            return
        premises = np.stack([profile.claims[i].vector for i in claims])  # type: ignore[misc]
        scores = self.nli.scores(premises, np.repeat(vector[None, :], len(claims), axis=0))
        for index, (entails, _, contradicts) in zip(claims, scores.tolist(), strict=True):
            unit.nli[index] = (entails, contradicts)

    def _decided_distortions(
        self, sentences: list[Span], analyses: list[_SentenceAnalysis], min_confidence: float | None
    ) -> dict[int, list[Distortion]]:
        """Per sentence, the distortions reported, placed in the post. A post's candidates for one fact (or for
        absolute claims) and one kind are one bag of evidence; the most confident kind of a fact is reported if
        it reaches its threshold, at the candidate that scores best (every term, for absolute claims)."""
        bags: dict[tuple[str, str], list[tuple[int, Distortion, Features]]] = {}
        for index, analysis in enumerate(analyses):
            for distortion, features in analysis.candidates:
                bags.setdefault((_key(distortion), distortion.kind.value), []).append((index, distortion, features))
        best: dict[str, tuple[float, str]] = {}
        for (key, family), members in bags.items():
            confidence = self.decision.probability(family, bag_features(f for _, _, f in members))
            if key not in best or (confidence, -_KIND_RANK[DistortionKind(family)]) > (
                best[key][0],
                -_KIND_RANK[DistortionKind(best[key][1])],
            ):
                best[key] = (confidence, family)
        per_sentence: dict[int, list[Distortion]] = {index: [] for index in range(len(sentences))}
        for key, (confidence, family) in best.items():
            if confidence < self.decision.threshold(family, min_confidence):
                continue
            members = bags[(key, family)]
            if family != DistortionKind.ABSOLUTE.value:
                members = [max(members, key=lambda member: member[1].score)]  # the first of equals
            for index, distortion, _ in members:
                placed = _shifted(distortion, sentences[index].start)
                per_sentence[index].append(placed.model_copy(update={"confidence": round(confidence, 4)}))
        for found in per_sentence.values():
            found.sort(key=lambda d: (d.start, _KIND_RANK[d.kind]))
        return per_sentence

    @staticmethod
    def _cue_features(cues: Cues) -> Features:
        return {
            "question": cues.question,
            "first_person": cues.first_person,
            "hedge": cues.hedge,
            "debunk": cues.debunk,
            "complaint": cues.complaint,
            "benefit": cues.benefit,
        }

    def _distortion_features(
        self, profile: KnowledgeBaseProfile, unit: _Unit, distortion: Distortion, cues: Cues
    ) -> Features:
        """The evidence for a candidate distortion of a fact (or prohibited claim) by a clause."""
        best = unit.best_cosine()
        claims = [i for i in profile.claims_of_fact.get(distortion.fact_id or "", []) if i in unit.claim_cosines]
        cosine = max((unit.claim_cosines[i] for i in claims), default=distortion.score)
        lexical = max((unit.claim_scores[i] - unit.claim_cosines[i] for i in claims), default=0.0)
        by_fact: dict[str, float] = {}
        for index, value in unit.claim_cosines.items():
            fact_id = profile.claims[index].fact_id
            by_fact[fact_id] = max(by_fact.get(fact_id, -1.0), value)
        rank = sum(value > cosine + 1e-9 for value in by_fact.values())
        nearest = max(claims, key=unit.claim_cosines.__getitem__, default=None)
        coverage = (
            self._coverage(profile, unit.span.text, unit.polarity, profile.claims[nearest].text)
            if nearest is not None
            else 0.0
        )
        # A clause that says what a claim of the same fact says, with the same polarity, agrees with the fact.
        inferred = [unit.nli[i] for i in claims if i in unit.nli]
        agreeing = [i for i in claims if profile.claims[i].polarity.negated == unit.polarity.negated]
        agreeing_cosine = max((unit.claim_cosines[i] for i in agreeing), default=0.0)
        agreeing_coverage = max(
            (self._coverage(profile, unit.span.text, unit.polarity, profile.claims[i].text) for i in agreeing),
            default=0.0,
        )
        # How much of what the claim says, weighted by how distinctive each word is in this knowledge base, the
        # clause says too (a short generic clause, "works great", shares only words every fact uses).
        clause_terms = self._content_terms(profile, unit.span.text, unit.polarity)
        if nearest is not None:
            claim = profile.claims[nearest]
            claim_terms = self._content_terms(profile, claim.text, claim.polarity)
        else:
            target_text = profile.prohibited_by_id[distortion.fact_id].text if distortion.fact_id else ""
            claim_terms = self._content_terms(profile, target_text, analyse_polarity(target_text))
        claim_covered = weighted_overlap(claim_terms, clause_terms, profile.term_weight)
        clause_covered = weighted_overlap(clause_terms, claim_terms, profile.term_weight)
        # A contradiction is about what the negation governs: the words after the cue of whichever side denies
        # ("has no built-in hub": the hub) must be what the other side speaks of, not the words around it.
        scope_covered = 0.0
        if nearest is not None and distortion.kind is DistortionKind.CONTRADICTION:
            claim = profile.claims[nearest]
            if claim.polarity.negated:
                denied = self._scope_terms(profile, claim.text, claim.polarity)
                scope_covered = weighted_overlap(denied, clause_terms, profile.term_weight)
            else:
                denied = self._scope_terms(profile, unit.span.text, unit.polarity)
                scope_covered = weighted_overlap(denied, claim_terms, profile.term_weight)
        # A prohibited claim is made when the clause is nearer to it than to anything the brand does say (generic
        # praise is as near to the key messages), or uses its own words (cure, 治愈) that no fact or message uses.
        distinctive_shared = 0.0
        prohibited_margin = 0.0
        if distortion.kind is DistortionKind.PROHIBITED:
            target = profile.prohibited_by_id[distortion.fact_id or ""]
            distinctive_shared = float(bool(clause_terms & target.distinctive_terms))
            prohibited_margin = distortion.score - max(unit.message_scores, default=0.0)
        features: Features = {
            "distinctive_shared": distinctive_shared,
            "prohibited_margin": prohibited_margin,
            "claim_covered": claim_covered,
            "clause_covered": clause_covered,
            "mutual_covered": min(claim_covered, clause_covered),
            "scope_covered": scope_covered,
            "nli_entails": max((e for e, _ in inferred), default=0.0),
            "nli_contradicts": max((c for _, c in inferred), default=0.0),
            "coverage": coverage,
            "agreeing_cosine": agreeing_cosine,
            "agreeing_coverage": agreeing_coverage,
            "score": distortion.score,
            "cosine": cosine,
            "gap_to_best": max(0.0, best - cosine),
            "lexical": lexical / max(self.thresholds.lexical_weight, 1e-6),
            "fact_rank": float(min(rank, 3)),
            "negated": float(unit.polarity.negated),
            "prohibitive": float(unit.polarity.prohibitive),
            "restrictive": float(unit.polarity.restrictive),
            "hedged_clause": float(unit.polarity.hedged),
            "reported_clause": float(unit.polarity.reported),
            "cross_lingual": float(unit.lang != profile.kb.lang),
            "clause_chars": math.log1p(len(unit.span.text)),
            "deal_talk": float(unit.deal_talk),
            **self._cue_features(cues),
        }
        if distortion.claimed is not None and distortion.official is not None:
            claimed, official = distortion.claimed.value, distortion.official.value
            features["log_ratio"] = abs(math.log(max(abs(claimed), 1e-6) / max(abs(official), 1e-6)))
            features["other_condition"] = float("applies to another condition" in distortion.explanation)
        return features

    # -- distortions ----------------------------------------------------------------------------

    def _distortions(self, profile: KnowledgeBaseProfile, unit: _Unit, sentence: Span) -> list[Distortion]:
        found: list[Distortion] = []
        found.extend(self._prohibited(profile, unit, sentence))
        found.extend(self._numeric(profile, unit, sentence))
        # The clause's few nearest claims of different facts, not only its best: which one it is about is the
        # decision's to weigh (their cosines and coverage are its evidence).
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

    def _prohibited(self, profile: KnowledgeBaseProfile, unit: _Unit, sentence: Span) -> list[Distortion]:
        if unit.polarity.negated or not unit.polarity.asserted:
            return []
        found = []
        plain = self._plain(profile, unit.span.text)
        for target, score in zip(profile.prohibited, unit.prohibited_scores, strict=True):
            if score >= self.thresholds.prohibited_min or (
                score >= self.thresholds.prohibited_shared_min and content_terms(plain) & target.distinctive_terms
            ):
                unit.prohibited = True
                found.append(
                    self._distortion(
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

    def _numeric(self, profile: KnowledgeBaseProfile, unit: _Unit, sentence: Span) -> list[Distortion]:
        th = self.thresholds
        found: list[Distortion] = []
        if not unit.polarity.asserted:  # a figure asked about or debunked is not stated
            return found
        # Figures are read in the whole sentence (its context tells a sale price or a temperature) and kept
        # when they fall in this clause; offsets become clause-relative.
        offset = unit.span.start - sentence.start
        in_sentence = extract_quantities(blank_names(profile.names, sentence.text))
        figures = [
            dataclasses.replace(q, start=q.start - offset, end=q.end - offset)
            for q in in_sentence
            if q.start >= offset and q.end <= offset + len(unit.span.text)
        ]
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
                    self._distortion(
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
            # The figure may be right for another condition of the same fact (total with the case vs
            # one charge): flag it only when the clause is clearly about this claim's condition.
            other = self._other_condition(profile, unit, claim, claimed)
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
                self._distortion(
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
                )
            )
        return found

    def _claim_for_figure(self, profile: KnowledgeBaseProfile, unit: _Unit, claimed: Quantity) -> int | None:
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
        if profile.several_claims_measure(claimed) and detect_language(unit.span.text) != profile.kb.lang:
            # Across languages no word can be shared: take the comparable claims near the clause's best.
            ceiling = unit.best_cosine()
            candidates = [
                index
                for index in candidates
                if unit.claim_cosines[index] >= max(th.claim_floor, ceiling - th.cross_lingual_margin)
            ]
        elif profile.several_claims_measure(claimed):
            plain = self._plain(profile, unit.span.text)
            candidates = [
                index
                for index in candidates
                if unit.claim_cosines[index] >= th.numeric_shared_min
                or (
                    unit.claim_cosines[index] >= th.claim_floor
                    and (
                        shares_term(plain, self._plain(profile, profile.claims[index].text))
                        or shares_attribute(claimed, profile.claims[index].quantities)
                    )
                )
            ]
        else:
            candidates = [index for index in candidates if unit.claim_cosines[index] >= th.claim_floor]
        if not candidates:
            return None

        in_clause = sum(
            same_attribute(claimed, other) for other in extract_quantities(blank_names(profile.names, unit.span.text))
        )

        def preference(index: int) -> float:
            comparable = [o for o in profile.claims[index].quantities if same_attribute(claimed, o)]
            ratios = [
                abs(math.log(max(abs(claimed.value), 1e-6) / max(abs(official.value), 1e-6))) for official in comparable
            ]
            # "charge 5 min, play 3 h" has the shape of "charge 10 min for 2 h of play"
            shape = th.shape_weight if in_clause > 1 and len(comparable) == in_clause else 0.0
            return unit.claim_scores[index] - th.magnitude_weight * min(ratios, default=0.0) + shape

        return max(candidates, key=preference)

    @staticmethod
    def _plain(profile: KnowledgeBaseProfile, text: str) -> str:
        """Text without brand/model names and figures: what remains says what is being talked about."""
        return _plain_text(profile.names, text)

    @staticmethod
    def _other_condition(profile: KnowledgeBaseProfile, unit: _Unit, claim: Claim, claimed: Quantity) -> Claim | None:
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

    def _zero_claim(self, profile: KnowledgeBaseProfile, unit: _Unit, claimed: Quantity) -> Distortion | None:
        """'No oil at all' against 'up to 85% less oil': the claim overstates a reduction."""
        noun_terms = content_terms(claimed.counted or "")
        for index, score in sorted(unit.claim_scores.items(), key=lambda pair: -pair[1])[:3]:
            if unit.claim_cosines[index] < self.thresholds.claim_floor:
                continue
            claim = profile.claims[index]
            if not noun_terms or not noun_terms & content_terms(claim.text):
                continue
            percents = [q for q in claim.quantities if q.kind == "percent" and 0 < q.value < 100]
            if percents:
                official = percents[0]
                explanation = f"states {claimed.text.strip()}; official: {official.text.strip()} (“{claim.text}”)"
                return self._distortion(
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

    def _polarity(self, profile: KnowledgeBaseProfile, unit: _Unit, index: int) -> Distortion | None:
        th = self.thresholds
        score = unit.claim_scores[index]
        claim = profile.claims[index]
        cosine = unit.claim_cosines[index]
        content = unit.polarity
        if cosine < th.claim_floor or content.prohibitive or not content.asserted:
            return None
        sibling = None if claim.polarity.prohibitive else self._forbidden_sibling(profile, unit, claim)
        if sibling is not None:
            claim, score, cosine = sibling, unit.claim_scores[sibling.index], th.usage_min
        if claim.polarity.prohibitive:
            if cosine < th.usage_min or content.negated or claim.quantities:
                return None  # a forbidden use with a figure is judged by the figure (see _numeric)
            return self._distortion(
                DistortionKind.USAGE,
                claim.fact_id,
                claim.fact_text,
                unit,
                f"recommends or describes a use the official facts forbid: “{claim.text}”",
                claim.fact_text,
                score,
            )
        if content.negated == claim.polarity.negated:
            return None
        # Opposite polarity is a contradiction only when the clause speaks of what the claim speaks of:
        # most of its content words (negation removed) occur in the claim.
        if self._coverage(profile, unit.span.text, content, claim.text) < th.contradiction_coverage:
            return None
        says = "denies" if content.negated else "affirms"
        official = "affirms" if content.negated else "denies"
        return self._distortion(
            DistortionKind.CONTRADICTION,
            claim.fact_id,
            claim.fact_text,
            unit,
            f"{says} what the official fact {official}: “{claim.text}”",
            claim.fact_text,
            score,
        )

    def _forbidden_sibling(self, profile: KnowledgeBaseProfile, unit: _Unit, allowed: Claim) -> Claim | None:
        """A fact often allows one thing and forbids a neighbour ("the cup is washable, but the base must not be
        immersed"). Dense similarity sees the shared activity; the words distinctive to each side (base vs cup)
        tell which one the clause is about."""
        clause = content_terms(self._plain(profile, unit.span.text))
        allowed_terms = content_terms(self._plain(profile, allowed.text))
        for index in profile.claims_of_fact[allowed.fact_id]:
            other = profile.claims[index]
            if not other.polarity.prohibitive or unit.claim_cosines.get(index, 0.0) < self.thresholds.claim_floor:
                continue
            other_terms = content_terms(self._plain(profile, other.text))
            if clause & (other_terms - allowed_terms) and not clause & (allowed_terms - other_terms):
                return other
        return None

    @staticmethod
    def _content_terms(profile: KnowledgeBaseProfile, text: str, polarity: Polarity) -> frozenset[str]:
        """The content terms of ``text`` without its negation cues and names."""
        chars = list(text)
        for start, end, _ in polarity.cues:
            chars[start:end] = [" "] * (end - start)
        return content_terms(strip_names(profile.names, "".join(chars)))

    @staticmethod
    def _scope_terms(profile: KnowledgeBaseProfile, text: str, polarity: Polarity) -> frozenset[str]:
        """The content terms after the first negation cue of ``text`` (all of them when it has none)."""
        start = polarity.cues[0][1] if polarity.cues else 0
        return Checker._content_terms(profile, " " * start + text[start:], Polarity(False, False, False, ()))

    @staticmethod
    def _coverage(profile: KnowledgeBaseProfile, text: str, polarity: Polarity, other: str) -> float:
        """Share of ``text``'s content terms, without its negation cues and names, that occur in ``other``."""
        chars = list(text)
        for start, end, _ in polarity.cues:
            chars[start:end] = [" "] * (end - start)
        return overlap(strip_names(profile.names, "".join(chars)), strip_names(profile.names, other))

    def _absolutes(self, kb: KnowledgeBase, sentence: Span) -> list[Distortion]:
        found = []
        for claim in find_absolute_claims(sentence.text, kb.absolute_terms, kb.absolute_exceptions):
            start, end = sentence.start + claim.start, sentence.start + claim.end
            found.append(
                Distortion(
                    kind=DistortionKind.ABSOLUTE,
                    fact_id=None,
                    fact_text=None,
                    start=start,
                    end=end,
                    explanation=f"“{claim.term}” is an absolute claim the brand never made (banned in advertising)",
                    correction=reword(sentence.text, [claim]),
                    score=1.0,
                    edit=Edit(start=start, end=end, text=neutral_wording(claim.term)),
                )
            )
        return found

    @staticmethod
    def _distortion(
        kind: DistortionKind,
        fact_id: str,
        fact_text: str,
        unit: _Unit,
        explanation: str,
        correction: str,
        score: float,
        claimed: Quantity | None = None,
        official: Quantity | None = None,
        edit: Edit | None = None,
    ) -> Distortion:
        if edit is None:
            # Replace the clause by the official wording (a prohibited claim is simply dropped).
            replacement = "" if kind is DistortionKind.PROHIBITED else fact_text
            edit = Edit(start=unit.span.start, end=unit.span.end, text=replacement)
        return Distortion(
            edit=edit,
            kind=kind,
            fact_id=fact_id,
            fact_text=fact_text,
            start=unit.span.start,
            end=unit.span.end,
            explanation=explanation,
            correction=correction if kind is DistortionKind.PROHIBITED else correction or fact_text,
            claimed=_figure(claimed) if claimed else None,
            official=_figure(official) if official else None,
            score=round(score, 4),
        )

    # -- messages and topics --------------------------------------------------------------------

    def _unit_targets(
        self,
        profile: KnowledgeBaseProfile,
        unit: _Unit,
        cues: Cues,
        sentence_negated: float,
    ) -> tuple[list[tuple[Target, float, Features]], list[tuple[Target, float, Features]]]:
        """The key messages a clause may carry and the avoid-topics it may touch, each with its score and its
        evidence (once its distortions are known: a prohibited claim carries no selling point)."""
        th = self.thresholds
        best = unit.best_claim()
        rival = unit.best_cosine()
        about = set(unit.about)
        if best is not None:
            index = best[0]
            cosine = unit.claim_cosines[index]
            if cosine >= th.link_min or (
                cosine >= th.link_floor
                and shares_term(self._plain(profile, unit.span.text), self._plain(profile, profile.claims[index].text))
            ):
                about.add(index)
        context = {
            "sentence_negated": sentence_negated,
            "negated": float(unit.polarity.negated),
            "prohibitive": float(unit.polarity.prohibitive),
            "asserted": float(unit.polarity.asserted),
            "hedged_clause": float(unit.polarity.hedged),
            "cross_lingual": float(unit.lang != profile.kb.lang),
            "clause_chars": math.log1p(len(unit.span.text)),
            **self._cue_features(cues),
        }
        clause_terms = self._content_terms(profile, unit.span.text, unit.polarity)
        weight = profile.term_weight

        def shared_words(target: Target) -> Features:
            # How much of the topic's distinctive wording the clause uses, and how much of the clause's is the
            # topic's (a competitor's or a sale's own words). Not for key messages: measured, it did not help
            # them, as paraphrase is what carries a message.
            target_terms = profile.target_terms(target)
            return {
                "target_covered": weighted_overlap(target_terms, clause_terms, weight),
                "clause_in_target": weighted_overlap(clause_terms, target_terms, weight),
            }

        carries = []
        for position, (message, score) in enumerate(zip(profile.messages, unit.message_scores, strict=True)):
            linked = about & message.linked_claims
            if score < th.message_floor and not linked:
                continue
            linked_cosine = max((unit.claim_cosines.get(i, 0.0) for i in message.linked_claims), default=0.0)
            # The facts a message rests on are no rivals to it: only the others are.
            unlinked = max((v for i, v in unit.claim_cosines.items() if i not in message.linked_claims), default=0.0)
            features = {
                "score": score,
                "margin": score - unlinked,
                "close_and_apart": float(score >= 0.45 and score - rival >= 0.05),
                "linked": float(bool(linked)),
                "linked_cosine": linked_cosine,
                "gap_to_next": score - max((v for i, v in enumerate(unit.message_scores) if i != position), default=0),
                "prohibited": float(unit.prohibited),
                **context,
            }
            carries.append((message, score, features))
        touches = []
        for position, (topic, score) in enumerate(zip(profile.avoid_topics, unit.topic_scores, strict=True)):
            price_grammar = unit.deal_talk and is_price_topic(topic.text)
            if score < th.avoid_floor and not price_grammar:
                continue
            features = {
                "score": score,
                "margin": score - rival,
                "close_and_apart": float(score >= 0.40 and score - rival >= 0.1),
                "deal_talk": float(unit.deal_talk),
                "price_topic": float(is_price_topic(topic.text)),
                "price_grammar": float(price_grammar),
                "gap_to_next": score - max((v for i, v in enumerate(unit.topic_scores) if i != position), default=0),
                **shared_words(topic),
                **context,
            }
            touches.append((topic, score, features))
        return carries, touches

    def _messages_and_topics(
        self,
        profile: KnowledgeBaseProfile,
        sentences: list[Span],
        analyses: list[_SentenceAnalysis],
        min_confidence: float | None,
    ) -> tuple[list[CarriedMessage], list[TouchedTopic]]:
        """Each key message carried and avoid-topic touched, in the knowledge base's order."""
        carried = [
            CarriedMessage(**found)
            for found in self._decided_targets(sentences, [a.carries for a in analyses], "message", min_confidence)
        ]
        touched = [
            TouchedTopic(**found)
            for found in self._decided_targets(sentences, [a.touches for a in analyses], "topic", min_confidence)
        ]
        order = {m.id: i for i, m in enumerate(profile.kb.key_messages)}
        topic_order = {a.id: i for i, a in enumerate(profile.kb.avoid_topics)}
        return (
            sorted(carried, key=lambda m: order[m.id]),
            sorted(touched, key=lambda t: topic_order[t.id]),
        )

    def _decided_targets(
        self,
        sentences: list[Span],
        per_sentence: list[list[tuple[Target, float, Features]]],
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
            confidence = self.decision.probability(family, bag_features(m[3] for m in members))
            if confidence >= self.decision.threshold(family, min_confidence):
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

    # -- assembling -----------------------------------------------------------------------------

    def _sentence_results(
        self,
        sentences: list[Span],
        analyses: list[_SentenceAnalysis],
        per_sentence: dict[int, list[Distortion]],
        carried: list[CarriedMessage],
    ) -> list[SentenceResult]:
        th = self.thresholds
        results = []
        for index, (sentence, analysis) in enumerate(zip(sentences, analyses, strict=True)):
            on_topic = any(fact.score >= th.on_topic_min for fact in analysis.facts) or any(
                m.sentence_index == index for m in carried
            )
            if per_sentence[index]:
                verdict = Verdict.DISTORTION
            elif on_topic:
                verdict = Verdict.CONSISTENT
            else:
                verdict = Verdict.UNRELATED
            results.append(
                SentenceResult(
                    index=index,
                    start=sentence.start,
                    end=sentence.end,
                    text=sentence.text,
                    verdict=verdict,
                    # Validation copies each list: a response never shares one with the cached analysis.
                    facts=analysis.facts,
                    key_messages=analysis.key_messages,
                    avoid_topics=analysis.avoid_topics,
                    prohibited_claims=analysis.prohibited_claims,
                    distortions=per_sentence[index],
                )
            )
        return results

    @staticmethod
    def _fact_matches(profile: KnowledgeBaseProfile, units: list[_Unit], limit: int = 3) -> list[Match]:
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

    @staticmethod
    def _target_matches(
        targets: list[Target], section: Section, unit_scores: list[tuple[float, ...]], floor: float
    ) -> list[Match]:
        """The targets whose best score over the sentence's units reaches ``floor``, best first."""
        matches = []
        for position, target in enumerate(targets):
            score = max((scores[position] for scores in unit_scores), default=0.0)
            if score >= floor:
                matches.append(Match(section=section, id=target.item_id, text=target.text, score=round(score, 4)))
        return sorted(matches, key=lambda m: -m.score)

    @staticmethod
    def _corrected_text(text: str, sentences: list[Span], per_sentence: dict[int, list[Distortion]]) -> str:
        """The text with every correction applied: figures and absolute terms in place, a forbidden use or a
        contradiction replaced by the official wording, a prohibited claim dropped."""
        pieces = []
        cursor = 0
        for index, sentence in enumerate(sentences):
            edits = sorted((d.edit for d in per_sentence[index] if d.edit is not None), key=lambda e: (e.start, -e.end))
            if not edits:
                continue
            if any(d.kind is DistortionKind.PROHIBITED for d in per_sentence[index]):
                pieces.append(text[cursor : sentence.start])  # a prohibited claim is dropped with its sentence
                cursor = sentence.end
                continue
            corrected = sentence.text
            last_start = len(text) + 1
            for edit in reversed(edits):  # right to left, skipping an edit that overlaps one already made
                if edit.end > last_start:
                    continue
                corrected = (
                    corrected[: edit.start - sentence.start] + edit.text + corrected[edit.end - sentence.start :]
                )
                last_start = edit.start
            if any(d.kind is DistortionKind.ABSOLUTE for d in per_sentence[index]):
                corrected = reword(corrected, [])
                if sentence.text[:1].isupper():
                    corrected = corrected[:1].upper() + corrected[1:]
            pieces.append(text[cursor : sentence.start])
            pieces.append(corrected)
            cursor = sentence.end
        pieces.append(text[cursor:])
        return "".join(pieces)
