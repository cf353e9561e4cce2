"""What the checker knows about one version of a knowledge base, prepared once and cached.

A fact often makes several claims ("8 hours per charge, 32 hours with the case"; "sweat-proof, but
not for swimming"). Each fact is split into claims, each with its figures, polarity and embedding, so
that a post is compared with the claim it is about. Key messages are linked to the fact claims they
rest on, so that a post talking about that selling point carries the message even with a wrong figure.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from knowledge_base.lexicons import stopwords
from knowledge_base.models import AnyItem, ItemKind, KnowledgeBase
from knowledge_base.repository import Embedder
from service.check.commerce import (
    is_comparison_topic,
    is_deal_topic,
    is_price_topic,
    listed_rivals,
    rival_pattern,
)
from service.check.polarity import Polarity, analyse_polarity, continues_list, listed_denied
from service.check.quantities import Quantity, extract_quantities, same_attribute
from service.check.segmentation import Span, detect_language, split_clauses, split_sentences
from service.check.terms import content_terms, term_weights

Matrix = np.ndarray[Any, np.dtype[np.float32]]

_MAXIMUM_CUE = re.compile(r"最高|最大|最多|最长|上限|不超过|以内|\bmax(?:imum)?\b|\bup to\b|\bat most\b", re.IGNORECASE)
# Splits compound avoid-topics ("price comparisons and discounts", "比价、促销和打折") into sub-topics.
_TOPIC_SEPARATOR = re.compile(r"[,，、;；/]|\s+(?:and|or)\s+|[和或及与]", re.IGNORECASE)


@dataclass
class Claim:
    """One clause of an official fact, with its figures and polarity."""

    index: int
    fact_id: str
    fact_text: str
    text: str
    quantities: list[Quantity]
    polarity: Polarity
    states_maximum: bool
    number: int = 0  # its position among the fact's claims
    lang: str = ""  # the claim's own language, as a clause's (``Unit.lang``)
    vector: Matrix | None = None  # read or embedded on first use: only for facts retrieval returns
    row: int = 0  # its row in the profile's matrix of claim vectors once it has a vector (row 0 is zeros)
    restates: int | None = None  # the claim of an earlier fact whose figures it repeats ("with the same SPF 50")
    subject: str = ""  # what its leading pronoun stands for: the part the fact's previous claim is about


@dataclass
class Target:
    """A key message, avoid-topic or prohibited claim, with the vectors of its parts."""

    kind: ItemKind
    item_id: str
    text: str
    parts: list[str]
    vectors: Matrix
    linked_claims: set[int] = field(default_factory=set)
    distinctive_terms: frozenset[str] = frozenset()  # its words that no fact or key message uses
    price_topic: bool = False  # an avoid-topic about prices, comparisons or promotions
    comparison_topic: bool = False  # an avoid-topic about comparisons with other brands or models
    deal_topic: bool = False  # an avoid-topic about sales, discounts or promotions
    rival_names: re.Pattern[str] | None = None  # finds the other brands and models a comparison topic names


@functools.lru_cache(maxsize=256)
def name_stripper(brand: str, product: str) -> re.Pattern[str] | None:
    """A pattern for the brand and model names, which every post and fact shares and which only add noise
    to similarity: the brand, the product name without the brand, and model codes mixing letters and
    digits ("Q3", "P5")."""
    names = {brand.strip(), product.replace(brand, "").strip()}
    names.update(token for token in product.split() if re.search(r"[A-Za-z]", token) and re.search(r"\d", token))
    names.update(token for token in product.split() if token == brand)
    names = {name for name in names if len(name) >= 2}
    if not names:
        return None
    return re.compile("|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)), re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def product_noun(brand: str, product: str) -> re.Pattern[str] | None:
    """A pattern for the words naming what kind of product it is ("tablet", "平板" of "Pad M8 平板电脑"): the
    product name's English words and Chinese bigrams, without the brand and model codes."""
    rest = product.replace(brand, " ")
    words = {
        word
        for word in re.findall(r"[A-Za-z]{3,}", rest)
        if word.lower() not in stopwords() and not re.search(r"\d", word)
    }
    bigrams = {run[i : i + 2] for run in re.findall(r"[\u4e00-\u9fff]{2,}", rest) for i in range(len(run) - 1)}
    parts = [rf"\b{re.escape(word)}(?:e?s)?\b" for word in sorted(words, key=len, reverse=True)]
    parts += [re.escape(bigram) for bigram in sorted(bigrams)]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def strip_names(pattern: re.Pattern[str] | None, text: str) -> str:
    """``text`` without brand and model names (for embedding); unchanged if nothing else would remain."""
    if pattern is None:
        return text
    stripped = re.sub(r"\s{2,}", " ", pattern.sub(" ", text)).strip()
    return stripped if any(ch.isalnum() for ch in stripped) else text


def blank_names(pattern: re.Pattern[str] | None, text: str) -> str:
    """``text`` with brand and model names replaced by spaces (offsets unchanged): "AirFry 5" is no count."""
    if pattern is None:
        return text
    return pattern.sub(lambda match: " " * len(match.group()), text)


def split_fact(text: str) -> list[Span]:
    """The claims of a fact: its clauses (a fact with one clause is one claim)."""
    spans = [clause for sentence in split_sentences(text) for clause in split_clauses(sentence)]
    return spans or [Span(0, len(text), text)]


def topic_parts(text: str) -> list[str]:
    """An avoid-topic and its sub-topics (for compound topics such as 'comparisons and discounts')."""
    stripped = text.strip().rstrip("。.!！")
    parts = [part.strip() for part in _TOPIC_SEPARATOR.split(stripped) if _substantial(part.strip())]
    return [stripped, *[part for part in parts if part != stripped]]


def message_parts(text: str) -> list[str]:
    """A key message and its clauses: a post often retells one selling point of a message of several."""
    clauses = [span.text.strip() for span in split_fact(text)]
    return [text, *[c for c in clauses if c != text.strip() and _substantial(c)]]


def _substantial(part: str) -> bool:
    """Long enough to stand as a topic on its own: very short parts ("打折", "wear") match noise."""
    return len(re.findall(r"[\u4e00-\u9fff]", part)) >= 5 or len(re.findall(r"[A-Za-z]+", part)) >= 3


_ALTERNATIVES = re.compile(r"\bor\b|或|、", re.IGNORECASE)


def _continued_polarity(fact_text: str, span: Span, previous: tuple[Span, Claim] | None) -> Polarity:
    """A claim's polarity. A list of alternatives split off a prohibition at a comma ("Do not heat milk or soup,
    | juice or any other liquid") is still forbidden: with no cue of its own, it takes the prohibition's. So
    is a list split off a denial of having ("free of parabens, | lanolin and mineral oil"): still denied."""
    polarity = analyse_polarity(span.text)
    if previous is None or polarity.cues or not re.fullmatch(r"\s*[,，]\s*", fact_text[previous[0].end : span.start]):
        return polarity
    before = previous[1]
    if before.polarity.prohibitive and _ALTERNATIVES.search(span.text):
        return dataclasses.replace(before.polarity, cues=())
    if (
        before.polarity.negated
        and listed_denied(before.text, before.polarity) is not None
        and continues_list(span.text)
    ):
        return dataclasses.replace(before.polarity, cues=(), listing=True)
    return polarity


# A claim led by a pronoun ("…; it does not charge the brush") speaks of what the claim before it is about
# ("The travel case holds …"): the words before that claim's verb.
_LEADING_PRONOUN = re.compile(r"^\s*(?:(?:it|it's|its|they|this)\b|它|其)", re.IGNORECASE)
_LEADING_SUBJECT = re.compile(
    r"^\s*(?:the|a|an)?\s*((?:[A-Za-z-]+\s+){0,3}?[A-Za-z-]+)\s+"
    r"(?:is|are|was|were|holds|has|have|comes|works|does|do|can|fits|takes|lasts|uses)\b"
    r"|^\s*([\u4e00-\u9fff]{2,6}?)(?:可以|能够|可|能|是|有|支持|采用|带|含)",
    re.IGNORECASE,
)


def _subject_of(span: Span, previous: tuple[Span, Claim] | None) -> str:
    """What a claim led by a pronoun speaks of: the subject of the fact's claim before it, when that names
    something (not a pronoun again)."""
    if previous is None or not _LEADING_PRONOUN.search(span.text):
        return ""
    found = _LEADING_SUBJECT.match(previous[1].text)
    subject = (found.group(1) or found.group(2)) if found else ""
    if not subject or _LEADING_PRONOUN.match(subject):
        return previous[1].subject
    return subject


def claim_texts(brand: str, product: str, fact_text: str) -> list[str]:
    """What the checker embeds for each claim of a fact: its clauses without brand and model names. The
    repository stores these vectors at import (``KnowledgeBaseRepository(claim_texts=...)``)."""
    names = name_stripper(brand, product)
    return [strip_names(names, span.text) for span in split_fact(fact_text)]


FactSearch = Callable[[Sequence[str]], list[list[str]]]
# (fact id, claim number) pairs -> the stored text and vector of those that have one.
StoredClaims = Callable[[Sequence[tuple[str, int]]], dict[tuple[str, int], tuple[str, Matrix]]]


class KnowledgeBaseProfile:
    """Claims, messages, avoid-topics and prohibited claims of one knowledge-base version.

    Claims (clauses of facts, with their figures and polarity) are read for every fact at once, which
    is cheap; their embeddings are made only for facts that retrieval returns, so a knowledge base of
    100,000 facts is not re-embedded on the first check."""

    def __init__(
        self,
        kb: KnowledgeBase,
        embedder: Embedder,
        search_facts: FactSearch,
        stored_claims: StoredClaims | None = None,
    ) -> None:
        self.kb = kb
        self.embedder = embedder
        self.search_facts = search_facts
        self.stored_claims = stored_claims
        self._lock = threading.Lock()
        self.claims: list[Claim] = []
        self.claims_of_fact: dict[str, list[int]] = {}
        self.claims_by_dimension: dict[str, list[int]] = {}
        # The claims' vectors as rows of one matrix, appended as they arrive, so that a clause is scored against
        # its candidate claims with one gather and one product.
        self._claim_matrix: Matrix = np.zeros((64, embedder.dimension), np.float32)
        self._claim_rows = 1
        self.facts = {fact.id: fact for fact in kb.facts}
        self.names = name_stripper(kb.brand, kb.product)
        # The words of the brand and product name ("tablet", "床垫"): what every post is about, so no shared subject.
        self.product_terms = content_terms(f"{kb.brand} {kb.product}")
        self._read_claims(kb.facts)
        self.messages = self._targets(ItemKind.KEY_MESSAGE, kb.key_messages, split=True, parts_of=message_parts)
        self.avoid_topics = self._targets(ItemKind.AVOID_TOPIC, kb.avoid_topics, split=True)
        for topic in self.avoid_topics:
            topic.price_topic, topic.comparison_topic = is_price_topic(topic.text), is_comparison_topic(topic.text)
            topic.deal_topic = is_deal_topic(topic.text)
            topic.rival_names = rival_pattern(listed_rivals(topic.text)) if topic.comparison_topic else None
        # A prohibited claim is compared without the product's noun: a remark on the tablet in general ("the tablet
        # is fine") is as near to "the tablet is unbreakable" through the noun alone as most true claims are.
        self.prohibited = self._targets(
            ItemKind.PROHIBITED_CLAIM, kb.prohibited_claims, split=False, noun=product_noun(kb.brand, kb.product)
        )
        # The product's own name ("... Bike Helmet", "...加湿器") is what a claim is about, not what it claims.
        product_words = frozenset().union(
            content_terms(kb.product), *(content_terms(item.text) for item in [*kb.facts, *kb.key_messages])
        )
        for target in self.prohibited:
            target.distinctive_terms = content_terms(target.text) - product_words
        self.prohibited_by_id = {target.item_id: target for target in self.prohibited}
        # The words the brand uses for itself (not its avoid-topics, which name its rivals): a model name in a post
        # that is made of none of them is another product's.
        self.own_words = frozenset(
            word.lower()
            for text in [kb.brand, kb.product, *(item.text for item in [*kb.facts, *kb.key_messages])]
            for word in re.findall(r"[A-Za-z0-9]+", text)
        )
        self._target_terms: dict[tuple[ItemKind, str], frozenset[str]] = {}
        self.term_weight = term_weights(
            strip_names(self.names, text)
            for text in [
                *(claim.text for claim in self.claims),
                *(item.text for item in [*kb.key_messages, *kb.avoid_topics, *kb.prohibited_claims]),
            ]
        )
        self._link_messages()
        # Every target's part vectors in one matrix (messages, then avoid-topics, then prohibited claims),
        # so a clause is scored against all of them with one product.
        targets = [*self.messages, *self.avoid_topics, *self.prohibited]
        self._part_vectors: Matrix = (
            np.vstack([t.vectors for t in targets]) if targets else np.zeros((0, embedder.dimension), np.float32)
        )
        sizes = [len(t.vectors) for t in targets]
        self._first_parts = np.asarray([sum(sizes[:i]) for i in range(len(sizes))], dtype=np.intp)
        # What every text about this product shares (the mean of its facts' claims), so that a clause and an
        # avoid-topic are also compared on what sets them apart from the rest of the product's talk: a remark on
        # the product in general is near every topic about it.
        self.ensure_vectors(fact.id for fact in kb.facts[:CENTRE_FACTS])
        self.centre = _unit(
            np.sum([c.vector for c in self.claims if c.vector is not None], axis=0, dtype=np.float32)
            if any(c.vector is not None for c in self.claims)
            else np.zeros(embedder.dimension, np.float32)
        )
        first, count = len(self.messages), len(self.messages) + len(self.avoid_topics)
        topic_rows = slice(sum(sizes[:first]), sum(sizes[:count]))
        self._centred_topic_parts: Matrix = self.centred(self._part_vectors[topic_rows])
        self._first_topic_parts = self._first_parts[first:count] - sum(sizes[:first])

    def target_terms(self, target: Target) -> frozenset[str]:
        """The content terms of a key message, avoid-topic or prohibited claim, names removed."""
        key = (target.kind, target.item_id)
        found = self._target_terms.get(key)
        if found is None:
            found = self._target_terms[key] = content_terms(strip_names(self.names, target.text))
        return found

    def target_scores(self, vectors: Matrix) -> tuple[list[list[float]], list[list[float]], list[list[float]]]:
        """For each row of ``vectors``: its similarity to each key message, to each avoid-topic and to each
        prohibited claim (for a target of several parts, its best part)."""
        if not len(self._first_parts):
            return [[] for _ in vectors], [[] for _ in vectors], [[] for _ in vectors]
        best = np.maximum.reduceat(vectors @ self._part_vectors.T, self._first_parts, axis=1).tolist()
        messages, topics = len(self.messages), len(self.messages) + len(self.avoid_topics)
        return [row[:messages] for row in best], [row[messages:topics] for row in best], [row[topics:] for row in best]

    def centred(self, vectors: Matrix) -> Matrix:
        """Rows of ``vectors`` without their component along the product's centre, as unit vectors."""
        rows = vectors - np.outer(vectors @ self.centre, self.centre)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)

    def centred_topic_scores(self, vectors: Matrix) -> list[list[float]]:
        """For each row of ``vectors``: its similarity to each avoid-topic (its best part) once what all the
        product's facts share is taken out of both."""
        if not self.avoid_topics:
            return [[] for _ in vectors]
        cosines = self.centred(vectors) @ self._centred_topic_parts.T
        best: list[list[float]] = np.maximum.reduceat(cosines, self._first_topic_parts, axis=1).tolist()
        return best

    def claim_cosines(self, vector: Matrix, claim_indices: Sequence[int]) -> list[float]:
        """Cosine of a unit vector with each of these claims (0 for a claim without a vector yet)."""
        if not claim_indices:
            return []
        matrix = self._claim_matrix  # ensure_vectors may swap in a larger one meanwhile; rows never change
        cosines: list[float] = (matrix[[self.claims[i].row for i in claim_indices]] @ vector).tolist()
        return cosines

    def _read_claims(self, facts: Sequence[AnyItem]) -> None:
        for fact in facts:
            # Figures are read in the whole fact, so that each knows the conditions of its siblings.
            in_fact = extract_quantities(blank_names(self.names, fact.text))
            previous: tuple[Span, Claim] | None = None
            for number, span in enumerate(split_fact(fact.text)):
                quantities = [
                    dataclasses.replace(q, start=q.start - span.start, end=q.end - span.start)
                    for q in in_fact
                    if span.start <= q.start and q.end <= span.end and q.kind not in ("version", "rating")
                ]
                claim = Claim(
                    index=len(self.claims),
                    fact_id=fact.id,
                    fact_text=fact.text,
                    text=span.text,
                    quantities=quantities,
                    polarity=_continued_polarity(fact.text, span, previous),
                    subject=_subject_of(span, previous),
                    states_maximum=bool(_MAXIMUM_CUE.search(span.text)),
                    number=number,
                    lang=detect_language(span.text),
                )
                previous = (span, claim)
                self.claims.append(claim)
                self.claims_of_fact.setdefault(fact.id, []).append(claim.index)
                for dimension in {q.dimension for q in quantities}:
                    self.claims_by_dimension.setdefault(dimension, []).append(claim.index)
        self._mark_restatements()

    def _mark_restatements(self) -> None:
        """Give each claim the claim of an earlier fact that states every figure of it, if any (a variant's fact
        repeating the main one's: "also in a tinted version, with the same SPF 50 / PA++++"). Claims are indexed
        by their figures, so a large knowledge base is not compared claim by claim."""
        stating: dict[tuple[str, str, float], list[int]] = {}
        for claim in self.claims:
            figures = {(q.dimension, q.unit, q.value) for q in claim.quantities}
            if figures:
                earlier = set.intersection(*(set(stating.get(figure, ())) for figure in figures))
                claim.restates = min(
                    (index for index in earlier if self.claims[index].fact_id != claim.fact_id), default=None
                )
            for figure in figures:
                stating.setdefault(figure, []).append(claim.index)

    def ensure_vectors(self, fact_ids: Iterable[str]) -> None:
        """Give the claims of these facts their vectors: those stored at import, and for the rest (stored
        before claims were kept, or split differently since) one batch of embeddings."""
        with self._lock:
            missing = [
                self.claims[index]
                for fact_id in dict.fromkeys(fact_ids)
                for index in self.claims_of_fact.get(fact_id, [])
                if self.claims[index].vector is None
            ]
            if not missing:
                return
            texts = [strip_names(self.names, claim.text) for claim in missing]
            stored = self.stored_claims([(c.fact_id, c.number) for c in missing]) if self.stored_claims else {}
            to_embed = []
            for claim, text in zip(missing, texts, strict=True):
                found = stored.get((claim.fact_id, claim.number))
                if found is not None and found[0] == text:
                    claim.vector = found[1]
                else:
                    to_embed.append((claim, text))
            if to_embed:
                vectors = self.embedder.encode([text for _, text in to_embed])
                for (claim, _), vector in zip(to_embed, vectors, strict=True):
                    claim.vector = vector
            self._add_rows(missing)

    def _add_rows(self, claims: list[Claim]) -> None:
        """Append these claims' vectors to the claim matrix (doubling it when full); under the lock."""
        needed = self._claim_rows + len(claims)
        if needed > len(self._claim_matrix):
            larger = np.zeros((max(needed, 2 * len(self._claim_matrix)), self._claim_matrix.shape[1]), np.float32)
            larger[: self._claim_rows] = self._claim_matrix[: self._claim_rows]
            self._claim_matrix = larger
        for claim in claims:
            if claim.vector is not None:
                self._claim_matrix[self._claim_rows] = claim.vector
                claim.row = self._claim_rows
                self._claim_rows += 1

    def several_claims_measure(self, quantity: Quantity) -> bool:
        """Whether more than one claim has a figure comparable to ``quantity`` (so the unit alone does not
        say which attribute is meant)."""
        found = 0
        for index in self.claims_by_dimension.get(quantity.dimension, []):
            if any(same_attribute(quantity, official) for official in self.claims[index].quantities):
                found += 1
                if found > 1:
                    return True
        return False

    def _targets(
        self,
        kind: ItemKind,
        items: Sequence[AnyItem],
        split: bool,
        parts_of: Callable[[str], list[str]] | None = None,
        noun: re.Pattern[str] | None = None,
    ) -> list[Target]:
        targets = []
        for item in items:
            parts = (parts_of or topic_parts)(item.text) if split else [item.text]
            vectors = self.embedder.encode([strip_names(noun, strip_names(self.names, part)) for part in parts])
            targets.append(Target(kind, item.id, item.text, parts, vectors))
        return targets

    def _link_messages(self) -> None:
        """Link each key message to the fact claim it rests on (its nearest claim among the facts retrieval
        finds for it) and to the claims of the same fact that measure the same thing under another
        condition (8 h per charge, 32 h with the case)."""
        if not self.claims or not self.messages:
            return
        candidates = self.search_facts([message.text for message in self.messages])
        self.ensure_vectors(fact_id for found in candidates for fact_id in found)
        for message, fact_ids in zip(self.messages, candidates, strict=True):
            indices = [
                index
                for fact_id in fact_ids
                for index in self.claims_of_fact.get(fact_id, [])
                if self.claims[index].vector is not None
            ]
            if not indices:
                continue
            scores = np.array([float(np.dot(self.claims[i].vector, message.vectors[0])) for i in indices])  # type: ignore[arg-type]
            if float(scores.max()) < LINK_FLOOR:
                continue
            best = self.claims[indices[int(scores.argmax())]]
            dimensions = {q.dimension for q in best.quantities}
            message.linked_claims = {best.index} | {
                index
                for index in self.claims_of_fact[best.fact_id]
                if dimensions & {q.dimension for q in self.claims[index].quantities}
            }


LINK_FLOOR = 0.3
CENTRE_FACTS = 64  # the facts whose claims make a knowledge base's centre (the first ones: cheap and stable)


def _unit(vector: Matrix) -> Matrix:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class ProfileCache:
    """Profiles by knowledge-base id, rebuilt when the version changes."""

    def __init__(
        self,
        embedder: Embedder,
        search_facts: Callable[[str, Sequence[str]], list[list[str]]],
        stored_claims: Callable[[str, Sequence[tuple[str, int]]], dict[tuple[str, int], tuple[str, Matrix]]]
        | None = None,
    ) -> None:
        self.embedder = embedder
        self.search_facts = search_facts
        self.stored_claims = stored_claims
        self._profiles: dict[str, KnowledgeBaseProfile] = {}
        self._lock = threading.Lock()

    def get(self, kb: KnowledgeBase) -> KnowledgeBaseProfile:
        """The profile of this exact knowledge-base version."""
        cached = self._profiles.get(kb.id)
        if cached is not None and cached.kb.version == kb.version and cached.kb is kb:
            return cached
        with self._lock:
            cached = self._profiles.get(kb.id)
            if cached is not None and cached.kb.version == kb.version:
                return cached
            stored = self.stored_claims
            profile = KnowledgeBaseProfile(
                kb,
                self.embedder,
                lambda texts: self.search_facts(kb.id, texts),
                (lambda keys: stored(kb.id, keys)) if stored is not None else None,
            )
            self._profiles[kb.id] = profile
            return profile
