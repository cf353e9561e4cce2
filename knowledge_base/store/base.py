"""The vector-store interface shared by the embedded and the server backends.

Every knowledge-base item is one point with a dense vector (``dense``, cosine) and a sparse
lexical vector (``lexical``, IDF modifier) plus a JSON payload. Both backends implement exactly
this interface; ``tests/test_store_congruence.py`` runs the same operations on both.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

DENSE_VECTOR = "dense"
LEXICAL_VECTOR = "lexical"
RRF_K = 60
# Quantized collections: int8 with the extreme 1% of values clipped; dense queries rescore twice the limit
# with the float vectors. On 40,000 real sentences: the same recall@8 as float (0.98), 2.6x faster.
QUANTILE = 0.99
OVERSAMPLING = 2.0

PayloadValue = str | int | bool
Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class SparseVector:
    """A sparse vector: parallel lists of dimension indices (u32) and values."""

    indices: list[int]
    values: list[float]

    def is_empty(self) -> bool:
        return not self.indices


@dataclass(frozen=True)
class MatchFilter:
    """Conjunction of exact matches on payload keys.

    A value that is a list or tuple matches any of its elements.
    """

    must: Mapping[str, PayloadValue | Sequence[PayloadValue]] = field(default_factory=dict)


@dataclass
class PointRecord:
    """One stored point: id, vectors and payload."""

    id: int
    dense: Vector
    sparse: SparseVector
    payload: dict[str, Any]


@dataclass
class ScoredPoint:
    """A query hit. ``dense`` is set only when the request asked for vectors."""

    id: int
    score: float
    payload: dict[str, Any]
    dense: Vector | None = None


@dataclass(frozen=True)
class QueryRequest:
    """One query. With both ``dense`` and ``sparse`` it is a hybrid query fused with RRF
    (each side prefetches ``prefetch_limit`` candidates); with one of them, a plain query on
    that vector whose scores are the raw similarity (cosine, or sparse dot product with IDF)."""

    dense: Vector | None = None
    sparse: SparseVector | None = None
    filter: MatchFilter | None = None
    limit: int = 10
    prefetch_limit: int = 50
    with_vectors: bool = False
    hnsw_ef: int | None = None  # the dense search's candidate list; None: the engine's default (ef_construct)
    payload_keys: tuple[str, ...] | None = None  # return only these payload keys ("a.b" for nested); None: all


class StoreError(Exception):
    """Raised when the store cannot do what was asked (missing collection, lock held, ...)."""


def best_first(points: Iterable[ScoredPoint]) -> list[ScoredPoint]:
    """Points by score, best first; equal scores (RRF fusion ties often) by point id. The engines return
    ties in an order that differs from one process to the next."""
    return sorted(points, key=lambda point: (-point.score, point.id))


class VectorStore(abc.ABC):
    """One interface, two backends: embedded qdrant-edge and a Qdrant server via qdrant-client."""

    @abc.abstractmethod
    def collection_exists(self, name: str) -> bool: ...

    @abc.abstractmethod
    def create_collection(
        self,
        name: str,
        dense_size: int,
        keyword_indexes: Sequence[str] = (),
        dense_index: bool = True,
        quantized: bool = False,
    ) -> None:
        """Create a collection with the dense and lexical vectors and keyword payload indexes. Without
        ``dense_index`` no HNSW graph is built: for vectors that are only ever fetched by id. ``quantized``
        keeps an int8 copy of the dense vectors for the graph search; dense queries rescore the best
        (twice the limit) with the float vectors."""

    @abc.abstractmethod
    def delete_collection(self, name: str) -> None: ...

    @abc.abstractmethod
    def dense_size(self, name: str) -> int:
        """The dimension of the collection's dense vector."""

    @abc.abstractmethod
    def upsert(self, name: str, points: Sequence[PointRecord]) -> None:
        """Insert or replace points; durable when it returns."""

    @abc.abstractmethod
    def delete(self, name: str, ids: Sequence[int] = (), filter: MatchFilter | None = None) -> None:
        """Delete the points with these ids, or every point matching the filter."""

    @abc.abstractmethod
    def set_payload(self, name: str, ids: Sequence[int], payload: Mapping[str, Any]) -> None:
        """Merge keys into the payload of existing points."""

    @abc.abstractmethod
    def query(self, name: str, requests: Sequence[QueryRequest]) -> list[list[ScoredPoint]]:
        """Run a batch of queries; one result list per request, best first, equal scores by point id."""

    @abc.abstractmethod
    def scroll(self, name: str, filter: MatchFilter | None = None, with_vectors: bool = False) -> list[PointRecord]:
        """Every point matching the filter, ordered by id. Vectors are empty unless asked for."""

    @abc.abstractmethod
    def retrieve(self, name: str, ids: Sequence[int], with_vectors: bool = False) -> list[PointRecord]:
        """The points with these ids that exist, in the given order."""

    @abc.abstractmethod
    def count(self, name: str, filter: MatchFilter | None = None) -> int: ...

    def optimize(self, name: str) -> None:
        """Build the collection's indexes now. The embedded engine searches unindexed segments by brute
        force until then; a Qdrant server optimises by itself, so by default this does nothing."""
        del name

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release the store (for the embedded backend: its directory lock)."""


EMPTY_DENSE: Vector = np.zeros(0, dtype=np.float32)


def dense_of(vectors: Any) -> Vector:
    """The dense vector in a backend's named-vectors mapping (empty if absent)."""
    if isinstance(vectors, dict) and DENSE_VECTOR in vectors:
        return np.asarray(vectors[DENSE_VECTOR], dtype=np.float32)
    return EMPTY_DENSE


def sparse_of(vectors: Any) -> SparseVector:
    """The lexical vector in a backend's named-vectors mapping, indices sorted (empty if absent)."""
    if isinstance(vectors, dict) and LEXICAL_VECTOR in vectors:
        found = vectors[LEXICAL_VECTOR]
        pairs = sorted(zip(found.indices, found.values, strict=True))
        return SparseVector([int(i) for i, _ in pairs], [float(v) for _, v in pairs])
    return SparseVector([], [])
