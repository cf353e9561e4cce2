"""What the checker knows about one version of a knowledge base, prepared once and cached.

A fact often makes several claims ("8 hours per charge, 32 hours with the case"; "sweat-proof, but
not for swimming"). Each fact is split into claims, each with its figures, polarity and embedding, so
that a post is compared with the claim it is about. Key messages are linked to the fact claims they
rest on, so that a post talking about that selling point carries the message even with a wrong figure.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from knowledge_base.models import AnyItem, ItemKind, KnowledgeBase
from knowledge_base.repository import Embedder
from service.check.polarity import Polarity, analyse_polarity
from service.check.quantities import Quantity, extract_quantities, same_attribute
from service.check.segmentation import Span, split_clauses, split_sentences

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
    vector: Matrix


@dataclass
class Target:
    """A key message, avoid-topic or prohibited claim, with the vectors of its parts."""

    kind: ItemKind
    item_id: str
    text: str
    parts: list[str]
    vectors: Matrix
    linked_claims: set[int] = field(default_factory=set)


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


def _substantial(part: str) -> bool:
    """Long enough to stand as a topic on its own: very short parts ("打折", "wear") match noise."""
    return len(re.findall(r"[\u4e00-\u9fff]", part)) >= 5 or len(re.findall(r"[A-Za-z]+", part)) >= 3


class KnowledgeBaseProfile:
    """Claims, messages, avoid-topics and prohibited claims of one knowledge-base version."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder) -> None:
        self.kb = kb
        self.embedder = embedder
        self._lock = threading.Lock()
        self.claims: list[Claim] = []
        self.claims_of_fact: dict[str, list[int]] = {}
        self.facts = {fact.id: fact for fact in kb.facts}
        self.names = name_stripper(kb.brand, kb.product)
        self._build_claims(kb.facts)
        self.claim_matrix: Matrix = (
            np.stack([claim.vector for claim in self.claims])
            if self.claims
            else np.zeros((0, embedder.dimension), np.float32)
        )
        self.messages = self._targets(ItemKind.KEY_MESSAGE, kb.key_messages, split=False)
        self.avoid_topics = self._targets(ItemKind.AVOID_TOPIC, kb.avoid_topics, split=True)
        self.prohibited = self._targets(ItemKind.PROHIBITED_CLAIM, kb.prohibited_claims, split=False)
        self._link_messages()

    def _build_claims(self, facts: Sequence[AnyItem]) -> None:
        pending: list[tuple[str, str, str]] = []
        for fact in facts:
            for span in split_fact(fact.text):
                pending.append((fact.id, fact.text, span.text))
        vectors = self.embedder.encode([strip_names(self.names, text) for _, _, text in pending]) if pending else None
        for index, (fact_id, fact_text, text) in enumerate(pending):
            assert vectors is not None
            quantities = [
                q for q in extract_quantities(blank_names(self.names, text)) if q.kind not in ("version", "rating")
            ]
            self.claims.append(
                Claim(
                    index=index,
                    fact_id=fact_id,
                    fact_text=fact_text,
                    text=text,
                    quantities=quantities,
                    polarity=analyse_polarity(text),
                    states_maximum=bool(_MAXIMUM_CUE.search(text)),
                    vector=vectors[index],
                )
            )
            self.claims_of_fact.setdefault(fact_id, []).append(index)

    def claims_measuring(self, quantity: Quantity) -> list[int]:
        """The claims with a figure comparable to ``quantity``."""
        return [
            claim.index
            for claim in self.claims
            if any(same_attribute(quantity, official) for official in claim.quantities)
        ]

    def _targets(self, kind: ItemKind, items: Sequence[AnyItem], split: bool) -> list[Target]:
        targets = []
        for item in items:
            parts = topic_parts(item.text) if split else [item.text]
            vectors = self.embedder.encode([strip_names(self.names, part) for part in parts])
            targets.append(Target(kind, item.id, item.text, parts, vectors))
        return targets

    def _link_messages(self) -> None:
        """Link each key message to the fact claim it rests on (its nearest claim) and to the claims of the
        same fact that measure the same thing under another condition (8 h per charge, 32 h with the case)."""
        if not self.claims:
            return
        for message in self.messages:
            scores = self.claim_matrix @ message.vectors[0]
            best = self.claims[int(scores.argmax())]
            if float(scores.max()) < LINK_FLOOR:
                continue
            dimensions = {q.dimension for q in best.quantities}
            message.linked_claims = {best.index} | {
                index
                for index in self.claims_of_fact[best.fact_id]
                if dimensions & {q.dimension for q in self.claims[index].quantities}
            }


LINK_FLOOR = 0.3


class ProfileCache:
    """Profiles by knowledge-base id, rebuilt when the version changes."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
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
            profile = KnowledgeBaseProfile(kb, self.embedder)
            self._profiles[kb.id] = profile
            return profile
