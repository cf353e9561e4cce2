"""Vector stores for knowledge-base items: one interface, an embedded and a server backend.

``QdrantServerStore`` lives in ``knowledge_base.store.server``: importing qdrant-client slows start-up,
so only a service configured with a Qdrant URL pays for it.
"""

from knowledge_base.store.base import (
    DENSE_VECTOR,
    LEXICAL_VECTOR,
    RRF_K,
    MatchFilter,
    PayloadValue,
    PointRecord,
    QueryRequest,
    ScoredPoint,
    SparseVector,
    StoreError,
    StoreUnreachableError,
    Vector,
    VectorStore,
)
from knowledge_base.store.edge import EdgeStore

__all__ = [
    "DENSE_VECTOR",
    "LEXICAL_VECTOR",
    "RRF_K",
    "EdgeStore",
    "MatchFilter",
    "PayloadValue",
    "PointRecord",
    "QueryRequest",
    "ScoredPoint",
    "SparseVector",
    "StoreError",
    "StoreUnreachableError",
    "Vector",
    "VectorStore",
]
