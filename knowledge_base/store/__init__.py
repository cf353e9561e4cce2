"""Vector stores for knowledge-base items: one interface, an embedded and a server backend."""

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
    Vector,
    VectorStore,
)
from knowledge_base.store.edge import EdgeStore
from knowledge_base.store.lexical import LexicalEncoder
from knowledge_base.store.server import QdrantServerStore

__all__ = [
    "DENSE_VECTOR",
    "LEXICAL_VECTOR",
    "RRF_K",
    "EdgeStore",
    "LexicalEncoder",
    "MatchFilter",
    "PayloadValue",
    "PointRecord",
    "QdrantServerStore",
    "QueryRequest",
    "ScoredPoint",
    "SparseVector",
    "StoreError",
    "Vector",
    "VectorStore",
]
