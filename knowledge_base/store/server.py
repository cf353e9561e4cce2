"""The server backend: a Qdrant server (or qdrant-client's local mode) through ``QdrantClient``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx
from qdrant_client import QdrantClient, models
from qdrant_client.common.client_exceptions import ResourceExhaustedResponse
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from knowledge_base.store.base import (
    DENSE_VECTOR,
    LEXICAL_VECTOR,
    OVERSAMPLING,
    QUANTILE,
    RRF_K,
    PointRecord,
    QueryRequest,
    StoreError,
    StoreUnreachableError,
    VectorStore,
    dense_list,
)

# A proxy or cluster in front of Qdrant that cannot get an answer, or a node without a quorum.
_UNAVAILABLE_STATUSES = frozenset({502, 503, 504})


def _unreachable(exc: Exception) -> bool:
    """Whether qdrant-client failed to get an answer (connection refused or lost, a timeout, an overloaded
    or unavailable server), as opposed to an answer that refused the call."""
    if isinstance(exc, ResponseHandlingException):  # how qdrant-client wraps what httpx raised
        return isinstance(exc.source, httpx.TransportError)
    if isinstance(exc, UnexpectedResponse):
        return exc.status_code in _UNAVAILABLE_STATUSES
    return isinstance(exc, httpx.TransportError | ResourceExhaustedResponse)


def _search_params(request: QueryRequest) -> models.SearchParams:
    """A dense search's parameters: its candidate list, and rescoring of quantized candidates."""
    return models.SearchParams(
        hnsw_ef=request.hnsw_ef,
        quantization=models.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING),
    )


class QdrantServerStore(VectorStore):
    """Vector store on a Qdrant server through ``QdrantClient``; writes wait for the server to apply them.

    Also works over ``QdrantClient(":memory:")`` or ``QdrantClient(path=...)`` (qdrant-client's local
    mode), which ignores payload indexes but gives the same results.
    """

    _models: ClassVar[Any] = models

    def __init__(self, client: QdrantClient, label: str = "the Qdrant store") -> None:
        super().__init__(label)
        self.client = client

    @classmethod
    def from_url(cls, url: str, api_key: str | None = None, timeout: float = 10.0) -> QdrantServerStore:
        """Connect to the Qdrant server at ``url`` (REST), e.g. ``http://localhost:6333``."""
        client = QdrantClient(url=url, api_key=api_key, timeout=max(1, math.ceil(timeout)))
        return cls(client, f"the Qdrant store at {url}")

    def _engine_error(self, what: str, name: str, exc: Exception) -> StoreError:
        error = StoreUnreachableError if _unreachable(exc) else StoreError
        return error(f"Qdrant {what} on collection {name!r} failed: {exc}")

    def _engine_collection_exists(self, name: str) -> bool:
        return bool(self.client.collection_exists(name))

    def _engine_create_collection(
        self, name: str, dense_size: int, keyword_indexes: list[str], dense_index: bool, quantized: bool
    ) -> None:
        """Create the collection with a cosine dense vector, an IDF sparse vector and keyword indexes."""
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

    def _engine_delete_collection(self, name: str) -> None:
        self.client.delete_collection(name)

    def _engine_dense_size(self, name: str) -> int:
        """The dense dimension from the collection's config."""
        vectors = self.client.get_collection(name).config.params.vectors
        if not isinstance(vectors, Mapping) or DENSE_VECTOR not in vectors:
            raise StoreError(f"collection {name!r} has no {DENSE_VECTOR!r} vector")
        return int(vectors[DENSE_VECTOR].size)

    def _engine_upsert(self, name: str, points: Sequence[PointRecord]) -> None:
        structs = [
            models.PointStruct(id=point.id, vector=self._vectors(point), payload=dict(point.payload))
            for point in points
        ]
        self.client.upsert(name, structs, wait=True)

    def _engine_delete(self, name: str, ids: list[int], flt: models.Filter | None) -> None:
        if ids:
            self.client.delete(name, models.PointIdsList(points=ids), wait=True)
        if flt is not None:
            self.client.delete(name, models.FilterSelector(filter=flt), wait=True)

    def _engine_set_payload(self, name: str, ids: list[int], payload: dict[str, Any]) -> None:
        # ``list[Any](ids)``: the stub takes a list of int, str or UUID ids, which a list[int] is not (lists
        # are invariant).
        self.client.set_payload(name, payload, points=list[Any](ids), wait=True)

    def _engine_query(
        self, name: str, requests: Sequence[QueryRequest], filters: Sequence[models.Filter | None]
    ) -> list[list[models.ScoredPoint]]:
        """The requests in one ``query_batch_points`` call."""
        batch = [self._request(request, flt) for request, flt in zip(requests, filters, strict=True)]
        return [answer.points for answer in self.client.query_batch_points(name, batch)]

    def _request(self, request: QueryRequest, flt: models.Filter | None) -> models.QueryRequest:
        """qdrant-client's form of a request (which has a dense vector, a sparse vector or both)."""
        with_vector: list[str] | bool = [DENSE_VECTOR] if request.with_vectors else False
        payload: list[str] | bool = list(request.payload_keys) if request.payload_keys is not None else True
        if request.dense is not None and request.sparse is not None:
            return models.QueryRequest(
                prefetch=[
                    models.Prefetch(
                        query=dense_list(request.dense),
                        using=DENSE_VECTOR,
                        limit=request.prefetch_limit,
                        filter=flt,
                        params=_search_params(request),
                    ),
                    models.Prefetch(
                        query=self._sparse(request.sparse),
                        using=LEXICAL_VECTOR,
                        limit=request.prefetch_limit,
                        filter=flt,
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
            query: list[float] | models.SparseVector = dense_list(request.dense)
            using = DENSE_VECTOR
            params = _search_params(request)
        else:
            assert request.sparse is not None
            query, using = self._sparse(request.sparse), LEXICAL_VECTOR
        return models.QueryRequest(
            query=query,
            using=using,
            filter=flt,
            limit=request.limit,
            params=params,
            with_payload=payload,
            with_vector=with_vector,
        )

    def _engine_scroll(
        self, name: str, flt: models.Filter | None, offset: Any, limit: int, with_vectors: bool
    ) -> tuple[list[models.Record], Any]:
        return self.client.scroll(
            name, scroll_filter=flt, limit=limit, offset=offset, with_payload=True, with_vectors=with_vectors
        )

    def _engine_retrieve(self, name: str, ids: list[int], with_vectors: bool) -> list[models.Record]:
        return self.client.retrieve(name, ids, with_payload=True, with_vectors=with_vectors)

    def _engine_count(self, name: str, flt: models.Filter | None) -> int:
        return int(self.client.count(name, count_filter=flt, exact=True).count)

    def _engine_close(self) -> None:
        """Close the client connection (for local mode: release its path)."""
        self.client.close()
