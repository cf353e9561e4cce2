"""The vector-store interface shared by the embedded and the server backends.

Every knowledge-base item is one point with a dense vector (``dense``, cosine) and a sparse
lexical vector (``lexical``, IDF modifier) plus a JSON payload. ``VectorStore`` holds what the two
backends share: every check, guard and ordering rule of the interface is here, and a backend supplies
only the engine calls (its ``_engine_*`` methods). ``tests/test_store_congruence.py`` runs the same
operations on both.
"""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

DENSE_VECTOR = "dense"
LEXICAL_VECTOR = "lexical"
RRF_K = 60
# Quantized collections: int8 with the extreme 1% of values clipped, so that the graph search is cheaper;
# dense queries rescore twice the limit with the float vectors, so that scores are the float ones and
# recall stays that of float vectors.
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
    """Raised when the store cannot do what was asked: a missing collection, a bad name, vector or filter,
    an engine failure. Apart from :class:`StoreUnreachableError`, it means the caller asked for something
    the store cannot do."""


class StoreUnreachableError(StoreError):
    """The store cannot be had just now: it is closed, its engine is held by another process, or the
    Qdrant server does not answer (refused, timed out, unavailable, overloaded). Trying later may work."""


MAX_POINT_ID = 2**63  # exclusive
SCROLL_PAGE = 1024
EMPTY_DENSE: Vector = np.zeros(0, dtype=np.float32)


def check_point_id(point_id: int) -> None:
    """Refuse an id that neither engine can store."""
    if not 0 <= point_id < MAX_POINT_ID:
        raise StoreError(f"point id {point_id} is out of range: ids are non-negative and below 2**63")


def best_first(points: Iterable[ScoredPoint]) -> list[ScoredPoint]:
    """Points by score, best first; equal scores (RRF fusion ties often) by point id. The engines return
    ties in an order that differs from one process to the next."""
    return sorted(points, key=lambda point: (-point.score, point.id))


def dense_list(vector: Vector) -> list[float]:
    """A dense vector as the float32 list both engines take."""
    return vector.astype(np.float32, copy=False).tolist()  # type: ignore[no-any-return]


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


def record_of(found: Any, with_vectors: bool) -> PointRecord:
    """A point as either engine returns it (``id``, ``vector``, ``payload``) as a ``PointRecord``."""
    vectors = found.vector if with_vectors else None
    return PointRecord(int(found.id), dense_of(vectors), sparse_of(vectors), dict(found.payload or {}))


def hit_of(hit: Any, with_vectors: bool) -> ScoredPoint:
    """A query hit as either engine returns it (``id``, ``score``, ``payload``, ``vector``)."""
    dense = dense_of(hit.vector) if with_vectors else None
    return ScoredPoint(id=int(hit.id), score=float(hit.score), payload=dict(hit.payload or {}), dense=dense)


class VectorStore(abc.ABC):
    """One interface, two backends: embedded qdrant-edge and a Qdrant server via qdrant-client.

    The public methods are the contract and are written here, once: they check ids, vector dimensions and
    filters, refuse deletes that would empty a collection, keep the asked order of ``retrieve``, page through
    ``scroll``, sort hits and turn engine failures into ``StoreError``. A backend implements only the
    ``_engine_*`` methods, which receive arguments already checked and talk to the engine; they may raise
    anything, and ``_engine_error`` words what they raise.
    """

    # The engine's module of model classes (``qdrant_edge``, or ``qdrant_client.models``). Both name the
    # filter and sparse-vector classes alike and take the same keyword arguments, so filters and sparse
    # vectors are built here for both.
    _models: ClassVar[Any]

    def __init__(self, label: str) -> None:
        self._label = label  # how messages name this store, e.g. "the store at /data/qdrant"
        self._guard = threading.RLock()  # held while collections are created, deleted or opened, and on close
        self._closed = False

    # -- collections -----------------------------------------------------------------------------------

    def collection_exists(self, name: str) -> bool:
        with self._engine_call("collection_exists", name):
            return self._engine_collection_exists(name)

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
        if dense_size < 1:
            raise StoreError(f"dense size must be positive, got {dense_size}")
        with self._guard, self._engine_call("create_collection", name):
            if self._engine_collection_exists(name):
                raise StoreError(f"collection {name!r} already exists")
            self._engine_create_collection(name, dense_size, list(keyword_indexes), dense_index, quantized)

    def delete_collection(self, name: str) -> None:
        """Delete the collection and its points; no error if it does not exist."""
        with self._guard, self._engine_call("delete_collection", name):
            self._engine_delete_collection(name)

    def dense_size(self, name: str) -> int:
        """The dimension of the collection's dense vector."""
        with self._engine_call("dense_size", name):
            return self._engine_dense_size(name)

    # -- points ----------------------------------------------------------------------------------------

    def upsert(self, name: str, points: Sequence[PointRecord]) -> None:
        """Insert or replace points; durable when it returns. Nothing is written unless every point is
        valid; a write to a missing collection fails even with no points."""
        size = self.dense_size(name)
        for point in points:
            check_point_id(point.id)
            if point.dense.shape != (size,):
                raise StoreError(f"point {point.id}: dense vector has shape {point.dense.shape}, expected ({size},)")
        if points:
            with self._engine_call("upsert", name):
                self._engine_upsert(name, points)

    def delete(self, name: str, ids: Sequence[int] = (), filter: MatchFilter | None = None) -> None:
        """Delete the points with these ids, and (with a filter) every point matching it. A filter that
        matches everything is refused (that is ``delete_collection``); nothing is deleted then."""
        for point_id in ids:
            check_point_id(point_id)
        flt = None
        if filter is not None:
            flt = self._filter(filter)
            if flt is None:
                raise StoreError("delete with an empty filter would delete everything; use delete_collection")
        if ids or flt is not None:
            with self._engine_call("delete", name):
                self._engine_delete(name, list(ids), flt)

    def set_payload(self, name: str, ids: Sequence[int], payload: Mapping[str, Any]) -> None:
        """Merge keys into the payload of those of ``ids`` that exist (missing ids are ignored)."""
        if not ids:
            return
        # Both engines fail the whole operation on a missing id; the interface ignores them.
        existing = [point.id for point in self.retrieve(name, ids)]
        if existing:
            with self._engine_call("set_payload", name):
                self._engine_set_payload(name, existing, dict(payload))

    def query(self, name: str, requests: Sequence[QueryRequest]) -> list[list[ScoredPoint]]:
        """Run a batch of queries; one result list per request, best first, equal scores by point id.
        Hybrid queries are RRF-fused (k = ``RRF_K``)."""
        if not requests:
            return []
        # By the id of the request's filter: a checker's batch repeats one filter for hundreds of queries.
        filters: dict[int, Any] = {}
        for request in requests:
            if request.dense is None and request.sparse is None:
                raise StoreError("a query needs a dense vector, a sparse vector or both")
            if id(request.filter) not in filters:
                filters[id(request.filter)] = self._filter(request.filter)
        with self._engine_call("query", name):
            answers = self._engine_query(name, requests, [filters[id(request.filter)] for request in requests])
        return [
            best_first(hit_of(hit, request.with_vectors) for hit in hits)
            for request, hits in zip(requests, answers, strict=True)
        ]

    def scroll(self, name: str, filter: MatchFilter | None = None, with_vectors: bool = False) -> list[PointRecord]:
        """Every point matching the filter, ordered by id, read a page at a time. Vectors are empty unless
        asked for."""
        flt = self._filter(filter)
        out: list[PointRecord] = []
        offset: Any = None
        with self._engine_call("scroll", name):
            while True:
                records, offset = self._engine_scroll(name, flt, offset, SCROLL_PAGE, with_vectors)
                out.extend(record_of(record, with_vectors) for record in records)
                if offset is None:
                    return out

    def retrieve(self, name: str, ids: Sequence[int], with_vectors: bool = False) -> list[PointRecord]:
        """The points with these ids that exist, in the given order (a repeated id once)."""
        for point_id in ids:
            check_point_id(point_id)
        unique = list(dict.fromkeys(ids))
        with self._engine_call("retrieve", name):
            if not unique:
                if not self._engine_collection_exists(name):
                    raise StoreError(f"collection {name!r} does not exist")
                return []
            found = self._engine_retrieve(name, unique, with_vectors)
        by_id = {point.id: point for point in (record_of(record, with_vectors) for record in found)}
        return [by_id[point_id] for point_id in unique if point_id in by_id]

    def count(self, name: str, filter: MatchFilter | None = None) -> int:
        """Exact number of points matching the filter."""
        flt = self._filter(filter)
        with self._engine_call("count", name):
            return self._engine_count(name, flt)

    def optimize(self, name: str) -> None:
        """Build the collection's indexes now. The embedded engine searches unindexed segments by brute
        force until then; a Qdrant server optimises by itself."""
        with self._engine_call("optimize", name):
            self._engine_optimize(name)

    def close(self) -> None:
        """Flush and release the store (for the embedded backend: its directory lock); safe to call twice.
        A closed store refuses work."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            self._engine_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- shared by the public methods ------------------------------------------------------------------

    def _require_open(self) -> None:
        if self._closed:
            raise StoreUnreachableError(f"{self._label} is closed")

    @contextlib.contextmanager
    def _engine_call(self, what: str, name: str) -> Iterator[None]:
        """Around engine calls: refuse them on a closed store, and turn what the engine raises into
        ``StoreError`` (a ``StoreError`` passes as it is)."""
        self._require_open()
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:
            raise self._engine_error(what, name, exc) from exc

    def _filter(self, flt: MatchFilter | None) -> Any:
        """The engine's form of a filter; None when it has no conditions."""
        if flt is None or not flt.must:
            return None
        return self._models.Filter(must=[self._condition(key, value) for key, value in flt.must.items()])

    def _condition(self, key: str, value: Any) -> Any:
        models = self._models
        if isinstance(value, list | tuple):
            values = list(value)
            if any(isinstance(v, bool) for v in values):
                raise StoreError(f"filter on {key!r}: matching boolean values is not supported")
            if all(isinstance(v, str) for v in values) or all(isinstance(v, int) for v in values):
                return models.FieldCondition(key=key, match=models.MatchAny(any=values))
            # Mixed strings and ints: a match-any takes one type, so OR exact matches.
            return models.Filter(
                should=[models.FieldCondition(key=key, match=models.MatchValue(value=v)) for v in values]
            )
        if isinstance(value, bool):
            # qdrant-edge 0.9 turns MatchValue(True) into the integer 1, which matches no boolean; the
            # backends must agree, so both refuse.
            raise StoreError(f"filter on {key!r}: matching boolean values is not supported")
        if isinstance(value, str | int):
            return models.FieldCondition(key=key, match=models.MatchValue(value=value))
        raise StoreError(f"filter on {key!r}: unsupported value {value!r}")

    def _sparse(self, vector: SparseVector) -> Any:
        """The engine's form of a sparse vector."""
        return self._models.SparseVector(indices=list(vector.indices), values=[float(v) for v in vector.values])

    def _vectors(self, point: PointRecord) -> dict[str, Any]:
        """A point's named vectors in the engine's form."""
        return {DENSE_VECTOR: dense_list(point.dense), LEXICAL_VECTOR: self._sparse(point.sparse)}

    # -- what a backend implements: engine calls, with arguments already checked -------------------------

    @abc.abstractmethod
    def _engine_error(self, what: str, name: str, exc: Exception) -> StoreError:
        """The ``StoreError`` for an exception the engine raised in ``what`` on collection ``name``: a
        ``StoreUnreachableError`` when the engine could not be reached, not when it refused the call."""

    @abc.abstractmethod
    def _engine_collection_exists(self, name: str) -> bool: ...

    @abc.abstractmethod
    def _engine_create_collection(
        self, name: str, dense_size: int, keyword_indexes: list[str], dense_index: bool, quantized: bool
    ) -> None:
        """Create a collection that does not exist (``create_collection`` checked)."""

    @abc.abstractmethod
    def _engine_delete_collection(self, name: str) -> None:
        """Delete the collection if it exists."""

    @abc.abstractmethod
    def _engine_dense_size(self, name: str) -> int:
        """The collection's dense dimension; raises if the collection does not exist."""

    @abc.abstractmethod
    def _engine_upsert(self, name: str, points: Sequence[PointRecord]) -> None:
        """Write valid points (at least one), durably."""

    @abc.abstractmethod
    def _engine_delete(self, name: str, ids: list[int], flt: Any) -> None:
        """Delete the points with ``ids`` (may be empty), then those matching ``flt`` (may be None)."""

    @abc.abstractmethod
    def _engine_set_payload(self, name: str, ids: list[int], payload: dict[str, Any]) -> None:
        """Merge ``payload`` into these points, which all exist."""

    @abc.abstractmethod
    def _engine_query(self, name: str, requests: Sequence[QueryRequest], filters: Sequence[Any]) -> Sequence[Any]:
        """The hits of each request (each has a dense vector, a sparse vector or both; ``filters[i]`` is the
        engine's form of ``requests[i].filter``), in any order; hits have ``id``, ``score``, ``payload``
        and ``vector``."""

    @abc.abstractmethod
    def _engine_scroll(
        self, name: str, flt: Any, offset: Any, limit: int, with_vectors: bool
    ) -> tuple[Sequence[Any], Any]:
        """One page of points matching ``flt`` from ``offset`` (None: the first), ordered by id, and the
        offset of the next page (None after the last). Points have ``id``, ``payload`` and ``vector``."""

    @abc.abstractmethod
    def _engine_retrieve(self, name: str, ids: list[int], with_vectors: bool) -> Sequence[Any]:
        """Those of ``ids`` (distinct, at least one) that exist, in any order; as for ``_engine_scroll``."""

    @abc.abstractmethod
    def _engine_count(self, name: str, flt: Any) -> int: ...

    def _engine_optimize(self, name: str) -> None:
        """Build indexes now; a server optimises by itself, so by default nothing."""
        del name

    @abc.abstractmethod
    def _engine_close(self) -> None:
        """Flush and release the engine; called once."""
