"""The claims collection: the vectors of the claims each fact makes, embedded at import, read at check time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from knowledge_base.models import AnyItem, ItemKind, KnowledgeBase
from knowledge_base.repository.context import ClaimTexts, RepositoryContext
from knowledge_base.repository.layout import live_key, stable_id
from knowledge_base.repository.records import MetaRecords
from knowledge_base.store.base import PointRecord, SparseVector

# (fact id, claim number, claim text)
Claim = tuple[str, int, str]
Vectors = np.ndarray[Any, np.dtype[np.float32]]


def claim_point_id(kb_id: str, generation: int, fact_id: str, number: int) -> int:
    return stable_id("claim", kb_id, str(generation), fact_id, str(number))


class ClaimPoints:
    """Splits facts into claims (with ``claim_texts``; none without it), embeds and stores them."""

    def __init__(self, context: RepositoryContext, records: MetaRecords, claim_texts: ClaimTexts | None) -> None:
        self.context = context
        self.records = records
        self.claim_texts = claim_texts

    def texts_of(self, brand: str, product: str, fact_text: str) -> Sequence[str]:
        return () if self.claim_texts is None else self.claim_texts(brand, product, fact_text)

    def of_fact(self, brand: str, product: str, fact_id: str, text: str) -> list[Claim]:
        """(fact id, claim number, claim text) for each claim of a fact."""
        return [(fact_id, number, claim) for number, claim in enumerate(self.texts_of(brand, product, text))]

    def encode_with_claims(self, texts: Sequence[str], claim_texts: Sequence[str]) -> tuple[Vectors, Vectors]:
        """Vectors of item texts and of claim texts in one encode (a one-clause fact's claim often is its
        own text, embedded once)."""
        embedder = self.context.embedder
        distinct = list(dict.fromkeys([*texts, *claim_texts]))
        vectors = embedder.encode(distinct) if distinct else np.zeros((0, embedder.dimension), np.float32)
        row = {text: index for index, text in enumerate(distinct)}
        return vectors[[row[text] for text in texts]], vectors[[row[text] for text in claim_texts]]

    @staticmethod
    def points(kb_id: str, generation: int, claims: Sequence[Claim], vectors: Vectors) -> list[PointRecord]:
        """Points for (fact id, claim number, text) with their vectors."""
        return [
            PointRecord(
                id=claim_point_id(kb_id, generation, fact_id, number),
                dense=vector,
                sparse=SparseVector([], []),
                payload={
                    "kb_id": kb_id,
                    "kb_generation": live_key(kb_id, generation),
                    "fact_id": fact_id,
                    "number": number,
                    "text": text,
                },
            )
            for (fact_id, number, text), vector in zip(claims, vectors, strict=True)
        ]

    def delete_of(self, kb: KnowledgeBase, generation: int, kind: ItemKind, item: AnyItem) -> None:
        """Delete the claim points of a fact as it was stored; nothing for other kinds."""
        if kind is not ItemKind.FACT:
            return
        count = len(self.texts_of(kb.brand, kb.product, item.text))
        ids = [claim_point_id(kb.id, generation, item.id, number) for number in range(count)]
        if ids:
            self.context.store.delete(self.context.claims_collection, ids=ids)

    def vectors(self, kb_id: str, claims: Sequence[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, Vectors]]:
        """The stored text and vector of each (fact id, claim number) of the live version that has one."""
        header = self.records.header(kb_id)
        if header is None or not claims:
            return {}
        wanted = {
            claim_point_id(kb_id, header.generation, fact_id, number): (fact_id, number) for fact_id, number in claims
        }
        found = self.context.store.retrieve(self.context.claims_collection, list(wanted), with_vectors=True)
        return {wanted[p.id]: (str(p.payload["text"]), p.dense) for p in found if p.id in wanted}
