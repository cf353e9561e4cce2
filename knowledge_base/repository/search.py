"""Hybrid search within a knowledge base's live generation: dense and lexical candidates fused with RRF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge_base.models import ItemKind
from knowledge_base.repository.context import RepositoryContext
from knowledge_base.repository.layout import live_key
from knowledge_base.repository.records import Header, MetaRecords
from knowledge_base.store.base import MatchFilter, QueryRequest, SparseVector

# Candidates each side (dense, lexical) brings to the RRF fusion, and the HNSW candidate list: below the
# engine's default ef, since a query's time grows with both; below ~1,000 facts the engine scans and
# neither matters.
PREFETCH_PER_RESULT = 3
MIN_PREFETCH = 20
HNSW_EF = 64
_HIT_PAYLOAD = ("kind", "item_id", "item.text")  # what a search hit needs (not the whole item)
_KIND_OF = {kind.value: kind for kind in ItemKind}  # a dict lookup: ItemKind(value) is slow on this hot path

Vectors = np.ndarray[Any, np.dtype[np.float32]]


@dataclass(frozen=True)
class SearchHit:
    """A knowledge-base item near a query text."""

    kind: ItemKind
    item_id: str
    text: str
    score: float
    lexical_score: float
    rank: int


class HybridSearch:
    """Nearest items to query texts, with their scores (``search``) or just their ids (``nearest_ids``)."""

    def __init__(self, context: RepositoryContext, records: MetaRecords) -> None:
        self.context = context
        self.records = records

    def search(
        self,
        kb_id: str,
        texts: Sequence[str],
        kinds: Sequence[ItemKind] | None,
        limit: int,
        vectors: Vectors | None,
    ) -> list[list[SearchHit]]:
        """The items nearest each text (hybrid dense + lexical, RRF-fused), with their cosine and
        lexical scores. ``vectors`` may carry the texts' embeddings when the caller has them."""
        header, dense, sparse = self._query_vectors(kb_id, texts, vectors)
        if not texts:
            return []
        requests: list[QueryRequest] = []
        lexical_request_at: list[int | None] = []
        for hybrid, terms in zip(self._hybrid_requests(header, dense, sparse, kinds, limit, True), sparse, strict=True):
            requests.append(hybrid)
            lexical_request_at.append(None)
            if not terms.is_empty():
                lexical_request_at[-1] = len(requests)
                requests.append(
                    QueryRequest(sparse=terms, filter=hybrid.filter, limit=hybrid.prefetch_limit, payload_keys=())
                )
        answers = self.context.store.query(self.context.items_collection, requests)
        results: list[list[SearchHit]] = []
        fused_at = 0
        for vector, lexical_at in zip(dense, lexical_request_at, strict=True):
            lexical_scores = {hit.id: hit.score for hit in answers[lexical_at]} if lexical_at is not None else {}
            hits = []
            for rank, hit in enumerate(answers[fused_at], start=1):
                cosine = float(np.dot(vector, hit.dense)) if hit.dense is not None else hit.score
                hits.append(
                    SearchHit(
                        kind=_KIND_OF[hit.payload["kind"]],
                        item_id=hit.payload["item_id"],
                        text=hit.payload["item"]["text"],
                        score=round(cosine, 4),
                        lexical_score=round(lexical_scores.get(hit.id, 0.0), 4),
                        rank=rank,
                    )
                )
            results.append(hits)
            fused_at = (lexical_at if lexical_at is not None else fused_at) + 1
        return results

    def nearest_ids(
        self,
        kb_id: str,
        texts: Sequence[str],
        kinds: Sequence[ItemKind] | None,
        limit: int,
        vectors: Vectors | None,
    ) -> list[list[str]]:
        """The ids of the items nearest each text, best first: the ranking of ``search`` without its scores
        (one engine query per text instead of two, no vectors or texts returned)."""
        header, dense, sparse = self._query_vectors(kb_id, texts, vectors)
        if not texts:
            return []
        requests = self._hybrid_requests(header, dense, sparse, kinds, limit, False)
        answers = self.context.store.query(self.context.items_collection, requests)
        return [[hit.payload["item_id"] for hit in hits] for hits in answers]

    def _query_vectors(
        self, kb_id: str, texts: Sequence[str], vectors: Vectors | None
    ) -> tuple[Header, Vectors, list[SparseVector]]:
        """The knowledge base's header (NotFoundError if there is none) and the texts' dense and lexical
        query vectors (``vectors`` when the caller has the dense ones)."""
        header = self.records.require_header(kb_id)
        if not texts:
            return header, np.zeros((0, self.context.embedder.dimension), np.float32), []
        dense = self.context.embedder.encode(texts) if vectors is None else vectors
        return header, dense, self.context.lexical.encode_queries(texts)

    @staticmethod
    def _hybrid_requests(
        header: Header,
        dense: Vectors,
        sparse: Sequence[SparseVector],
        kinds: Sequence[ItemKind] | None,
        limit: int,
        with_scores: bool,
    ) -> list[QueryRequest]:
        """One hybrid query per text within the knowledge base's live generation."""
        must: dict[str, Any] = {"kb_generation": live_key(header.kb_id, header.generation)}
        if kinds:
            must["kind"] = kinds[0].value if len(kinds) == 1 else [kind.value for kind in kinds]
        flt = MatchFilter(must)
        prefetch = max(MIN_PREFETCH, limit * PREFETCH_PER_RESULT)
        return [
            QueryRequest(
                dense=vector,
                sparse=None if terms.is_empty() else terms,
                filter=flt,
                limit=limit,
                prefetch_limit=prefetch,
                with_vectors=with_scores,
                hnsw_ef=max(HNSW_EF, prefetch),
                payload_keys=_HIT_PAYLOAD if with_scores else ("item_id",),
            )
            for vector, terms in zip(dense, sparse, strict=True)
        ]
