"""The server backend: a Qdrant server (or qdrant-client's local mode) through ``QdrantClient``."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
from qdrant_client import QdrantClient, models

from knowledge_base.store.base import (
    DENSE_VECTOR,
    LEXICAL_VECTOR,
    OVERSAMPLING,
    QUANTILE,
    RRF_K,
    MatchFilter,
    PointRecord,
    QueryRequest,
    ScoredPoint,
    SparseVector,
    StoreError,
    VectorStore,
    best_first,
    dense_of,
    sparse_of,
)

_T = TypeVar("_T")
_SCROLL_PAGE = 1024


def _search_params(request: QueryRequest) -> models.SearchParams:
    """A dense search's parameters: its candidate list, and rescoring of quantized candidates."""
    return models.SearchParams(
        hnsw_ef=request.hnsw_ef,
        quantization=models.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING),
    )


def _check_id(point_id: int) -> None:
    if not 0 <= point_id < 2**63:
        raise StoreError(f"point id {point_id} is out of range: ids are non-negative and below 2**63")


def _condition(key: str, value: Any) -> models.Condition:
    if isinstance(value, list | tuple):
        values = list(value)
        if any(isinstance(v, bool) for v in values):
            raise StoreError(f"filter on {key!r}: matching boolean values is not supported")
        if all(isinstance(v, str) for v in values) or all(isinstance(v, int) for v in values):
            return models.FieldCondition(key=key, match=models.MatchAny(any=values))
        return models.Filter(should=[models.FieldCondition(key=key, match=models.MatchValue(value=v)) for v in values])
    if isinstance(value, bool):
        # Rejected on both backends: qdrant-edge 0.9 cannot match booleans, and the two must agree.
        raise StoreError(f"filter on {key!r}: matching boolean values is not supported")
    if isinstance(value, str | int):
        return models.FieldCondition(key=key, match=models.MatchValue(value=value))
    raise StoreError(f"filter on {key!r}: unsupported value {value!r}")


def _filter(flt: MatchFilter | None) -> models.Filter | None:
    if flt is None or not flt.must:
        return None
    return models.Filter(must=[_condition(key, value) for key, value in flt.must.items()])


def _sparse(vector: SparseVector) -> models.SparseVector:
    return models.SparseVector(indices=list(vector.indices), values=[float(v) for v in vector.values])


def _record(found: models.Record, with_vectors: bool) -> PointRecord:
    vectors = found.vector if with_vectors else None
    return PointRecord(int(found.id), dense_of(vectors), sparse_of(vectors), dict(found.payload or {}))


class QdrantServerStore(VectorStore):
    """Vector store on a Qdrant server through ``QdrantClient``; writes wait for the server to apply them.

    Also works over ``QdrantClient(":memory:")`` or ``QdrantClient(path=...)`` (qdrant-client's local
    mode), which ignores payload indexes but gives the same results.
    """

    def __init__(self, client: QdrantClient) -> None:
        self.client = client

    @classmethod
    def from_url(cls, url: str, api_key: str | None = None, timeout: float = 10.0) -> QdrantServerStore:
        """Connect to the Qdrant server at ``url`` (REST), e.g. ``http://localhost:6333``."""
        return cls(QdrantClient(url=url, api_key=api_key, timeout=max(1, math.ceil(timeout))))

    def _call(self, what: str, name: str, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"Qdrant {what} on collection {name!r} failed: {exc}") from exc

    def collection_exists(self, name: str) -> bool:
        """Whether the server has the collection."""
        return self._call("collection_exists", name, lambda: bool(self.client.collection_exists(name)))

    def create_collection(
        self,
        name: str,
        dense_size: int,
        keyword_indexes: Sequence[str] = (),
        dense_index: bool = True,
        quantized: bool = False,
    ) -> None:
        """Create the collection with a cosine dense vector, an IDF sparse vector and keyword indexes."""
        if dense_size < 1:
            raise StoreError(f"dense size must be positive, got {dense_size}")
        if self.collection_exists(name):
            raise StoreError(f"collection {name!r} already exists")

        def create() -> None:
            self.client.create_collection(
                name,
                vectors_config={
                    DENSE_VECTOR: models.VectorParams(
                        size=dense_size,
                        distance=models.Distance.COSINE,
                        hnsw_config=None if dense_index else models.HnswConfigDiff(m=0),
                        quantization_config=models.ScalarQuantization(
                            scalar=models.ScalarQuantizationConfig(
                                type=models.ScalarType.INT8, quantile=QUANTILE, always_ram=True
                            )
                        )
                        if quantized
                        else None,
                    )
                },
                sparse_vectors_config={LEXICAL_VECTOR: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            )
            for key in keyword_indexes:
                self.client.create_payload_index(name, key, models.PayloadSchemaType.KEYWORD, wait=True)

        self._call("create_collection", name, create)

    def delete_collection(self, name: str) -> None:
        """Delete the collection; no error if it does not exist."""
        self._call("delete_collection", name, lambda: self.client.delete_collection(name))

    def dense_size(self, name: str) -> int:
        """The dense dimension from the collection's config."""
        info = self._call("get_collection", name, lambda: self.client.get_collection(name))
        vectors = info.config.params.vectors
        if not isinstance(vectors, Mapping) or DENSE_VECTOR not in vectors:
            raise StoreError(f"collection {name!r} has no {DENSE_VECTOR!r} vector")
        return int(vectors[DENSE_VECTOR].size)

    def upsert(self, name: str, points: Sequence[PointRecord]) -> None:
        """Insert or replace points; returns once the server has applied them."""
        if not points:
            return
        structs: list[models.PointStruct] = []
        for point in points:
            _check_id(point.id)
            vector: dict[str, Any] = {
                DENSE_VECTOR: point.dense.astype(np.float32, copy=False).tolist(),
                LEXICAL_VECTOR: _sparse(point.sparse),
            }
            structs.append(models.PointStruct(id=point.id, vector=vector, payload=dict(point.payload)))
        self._call("upsert", name, lambda: self.client.upsert(name, structs, wait=True))

    def delete(self, name: str, ids: Sequence[int] = (), filter: MatchFilter | None = None) -> None:
        """Delete the points with these ids, or (with a filter) every point matching it."""
        if ids:
            for point_id in ids:
                _check_id(point_id)
            selector = models.PointIdsList(points=list(ids))
            self._call("delete", name, lambda: self.client.delete(name, selector, wait=True))
        if filter is not None:
            flt = _filter(filter)
            if flt is None:
                raise StoreError("delete with an empty filter would delete everything; use delete_collection")
            by_filter = models.FilterSelector(filter=flt)
            self._call("delete", name, lambda: self.client.delete(name, by_filter, wait=True))

    def set_payload(self, name: str, ids: Sequence[int], payload: Mapping[str, Any]) -> None:
        """Merge keys into the payload of those of ``ids`` that exist (missing ids are ignored)."""
        if not ids:
            return
        # A server rejects the whole operation on a missing id; the interface ignores them.
        existing: list[Any] = [r.id for r in self.retrieve(name, ids)]
        if existing:
            self._call(
                "set_payload", name, lambda: self.client.set_payload(name, dict(payload), points=existing, wait=True)
            )

    def _request(self, request: QueryRequest) -> models.QueryRequest:
        flt = _filter(request.filter)
        with_vector: list[str] | bool = [DENSE_VECTOR] if request.with_vectors else False
        payload: list[str] | bool = list(request.payload_keys) if request.payload_keys is not None else True
        if request.dense is not None and request.sparse is not None:
            return models.QueryRequest(
                prefetch=[
                    models.Prefetch(
                        query=request.dense.astype(np.float32, copy=False).tolist(),
                        using=DENSE_VECTOR,
                        limit=request.prefetch_limit,
                        filter=flt,
                        params=_search_params(request),
                    ),
                    models.Prefetch(
                        query=_sparse(request.sparse), using=LEXICAL_VECTOR, limit=request.prefetch_limit, filter=flt
                    ),
                ],
                query=models.RrfQuery(rrf=models.Rrf(k=RRF_K)),
                filter=flt,
                limit=request.limit,
                with_payload=payload,
                with_vector=with_vector,
            )
        params = None
        if request.dense is not None:
            query: list[float] | models.SparseVector = request.dense.astype(np.float32, copy=False).tolist()
            using = DENSE_VECTOR
            params = _search_params(request)
        elif request.sparse is not None:
            query, using = _sparse(request.sparse), LEXICAL_VECTOR
        else:
            raise StoreError("a query needs a dense vector, a sparse vector or both")
        return models.QueryRequest(
            query=query,
            using=using,
            filter=flt,
            limit=request.limit,
            params=params,
            with_payload=payload,
            with_vector=with_vector,
        )

    def query(self, name: str, requests: Sequence[QueryRequest]) -> list[list[ScoredPoint]]:
        """Run the queries in one ``query_batch_points`` call; hybrid ones are RRF-fused (k = ``RRF_K``)."""
        if not requests:
            return []
        batch = [self._request(r) for r in requests]
        answers = self._call("query_batch_points", name, lambda: self.client.query_batch_points(name, batch))
        return [
            best_first(
                ScoredPoint(
                    id=int(hit.id),
                    score=float(hit.score),
                    payload=dict(hit.payload or {}),
                    dense=dense_of(hit.vector) if request.with_vectors else None,
                )
                for hit in answer.points
            )
            for request, answer in zip(requests, answers, strict=True)
        ]

    def scroll(self, name: str, filter: MatchFilter | None = None, with_vectors: bool = False) -> list[PointRecord]:
        """Every point matching the filter, ordered by id, paging through the collection."""
        flt = _filter(filter)
        out: list[PointRecord] = []
        offset: Any = None

        def page_from(start: Any) -> tuple[list[models.Record], Any]:
            return self.client.scroll(
                name, scroll_filter=flt, limit=_SCROLL_PAGE, offset=start, with_payload=True, with_vectors=with_vectors
            )

        while True:
            page, offset = self._call("scroll", name, functools.partial(page_from, offset))
            out.extend(_record(r, with_vectors) for r in page)
            if offset is None:
                return out

    def retrieve(self, name: str, ids: Sequence[int], with_vectors: bool = False) -> list[PointRecord]:
        """The existing points among ``ids``, in the order asked (duplicates kept once)."""
        if not ids:
            return []
        for point_id in ids:
            _check_id(point_id)
        unique = list(dict.fromkeys(ids))
        found = self._call(
            "retrieve", name, lambda: self.client.retrieve(name, unique, with_payload=True, with_vectors=with_vectors)
        )
        by_id = {int(r.id): _record(r, with_vectors) for r in found}
        return [by_id[i] for i in unique if i in by_id]

    def count(self, name: str, filter: MatchFilter | None = None) -> int:
        """Exact number of points matching the filter."""
        result = self._call("count", name, lambda: self.client.count(name, count_filter=_filter(filter), exact=True))
        return int(result.count)

    def close(self) -> None:
        """Close the client connection (for local mode: release its path)."""
        self.client.close()
