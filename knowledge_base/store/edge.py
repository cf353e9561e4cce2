"""The embedded backend: one qdrant-edge shard per collection, in-process, no server.

Layout: ``<path>/.lock`` (held while an ``EdgeStore`` is open) and ``<path>/<collection>/``, an
``EdgeShard`` directory plus ``brandcheck-collection.json`` (dense size and keyword indexes). A
collection exists once that JSON file is written, which is the last step of creating it.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe

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

META_FILE = "brandcheck-collection.json"
LOCK_FILE = ".lock"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_SCROLL_PAGE = 1024


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name) or name in {".", ".."}:
        raise StoreError(f"invalid collection name {name!r}: use letters, digits, '_', '-', '.'")


def _check_id(point_id: int) -> None:
    if not 0 <= point_id < 2**63:
        raise StoreError(f"point id {point_id} is out of range: ids are non-negative and below 2**63")


def _condition(key: str, value: Any) -> qe.FieldCondition | qe.Filter:
    if isinstance(value, list | tuple):
        values = list(value)
        if any(isinstance(v, bool) for v in values):
            raise StoreError(f"filter on {key!r}: matching boolean values is not supported")
        if all(isinstance(v, str) for v in values) or all(isinstance(v, int) for v in values):
            return qe.FieldCondition(key=key, match=qe.MatchAny(any=values))
        # Mixed strings and ints: MatchAny takes one type, so OR exact matches.
        return qe.Filter(should=[qe.FieldCondition(key=key, match=qe.MatchValue(v)) for v in values])
    if isinstance(value, bool):
        # qdrant-edge 0.9 turns MatchValue(True) into the integer 1, which matches no boolean.
        raise StoreError(f"filter on {key!r}: matching boolean values is not supported")
    if isinstance(value, str | int):
        return qe.FieldCondition(key=key, match=qe.MatchValue(value))
    raise StoreError(f"filter on {key!r}: unsupported value {value!r}")


def _filter(flt: MatchFilter | None) -> qe.Filter | None:
    if flt is None or not flt.must:
        return None
    return qe.Filter(must=[_condition(key, value) for key, value in flt.must.items()])


def _sparse(vector: SparseVector) -> qe.SparseVector:
    return qe.SparseVector(indices=list(vector.indices), values=[float(v) for v in vector.values])


def _record(found: Any, with_vectors: bool) -> PointRecord:
    vectors = found.vector if with_vectors else None
    return PointRecord(int(found.id), dense_of(vectors), sparse_of(vectors), dict(found.payload or {}))


def _engine_error(path: Path, exc: Exception) -> StoreError:
    text = str(exc)
    if "WouldBlock" in text or "lock" in text.lower():
        return StoreError(f"{path} is in use by another process; one process owns an embedded store path ({text})")
    return StoreError(f"qdrant-edge failed on {path}: {text}")


class EdgeStore(VectorStore):
    """Vector store embedded in this process on qdrant-edge; one shard directory per collection.

    Opening takes an exclusive lock on ``path``: a second ``EdgeStore`` on the same path, in this or
    another process, raises ``StoreError``. Shards are opened on first use and closed by ``close()``.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock_fd: int | None = os.open(self.path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise StoreError(
                f"{self.path} is in use by another process; one process owns an embedded store path"
            ) from None
        self._shards: dict[str, qe.EdgeShard] = {}
        self._meta: dict[str, dict[str, Any]] = {}
        self._guard = threading.RLock()

    # -- collections -------------------------------------------------------------------------------

    def _dir(self, name: str) -> Path:
        _check_name(name)
        return self.path / name

    def _require_open(self) -> None:
        if self._lock_fd is None:
            raise StoreError(f"the store at {self.path} is closed")

    def collection_exists(self, name: str) -> bool:
        """Whether the collection was fully created (its metadata file exists)."""
        self._require_open()
        return (self._dir(name) / META_FILE).is_file()

    def list_collections(self) -> list[str]:
        """Names of the existing collections, sorted."""
        self._require_open()
        return sorted(p.name for p in self.path.iterdir() if (p / META_FILE).is_file())

    def create_collection(
        self,
        name: str,
        dense_size: int,
        keyword_indexes: Sequence[str] = (),
        dense_index: bool = True,
        quantized: bool = False,
    ) -> None:
        """Create the shard with a cosine dense vector, an IDF sparse vector and keyword indexes."""
        self._require_open()
        if dense_size < 1:
            raise StoreError(f"dense size must be positive, got {dense_size}")
        directory = self._dir(name)
        with self._guard:
            if self.collection_exists(name):
                raise StoreError(f"collection {name!r} already exists")
            if directory.exists():  # left over from a creation that did not finish
                shutil.rmtree(directory)
            config = qe.EdgeConfig(
                vectors={
                    DENSE_VECTOR: qe.EdgeVectorParams(
                        size=dense_size,
                        distance=qe.Distance.Cosine,
                        # m=0: no graph (searches scan), so the optimizer spends nothing on it.
                        hnsw_config=None
                        if dense_index
                        else qe.HnswIndexConfig(m=0, ef_construct=1, full_scan_threshold=0),
                        quantization_config=qe.ScalarQuantizationConfig(
                            type=qe.ScalarType.Int8, quantile=QUANTILE, always_ram=True
                        )
                        if quantized
                        else None,
                    )
                },
                sparse_vectors={LEXICAL_VECTOR: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            )
            try:
                shard = qe.EdgeShard.create(str(directory), config)
                for key in keyword_indexes:
                    shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword))
                shard.flush()
            except Exception as exc:
                raise _engine_error(directory, exc) from exc
            meta = {"format": 1, "dense_size": dense_size, "keyword_indexes": list(keyword_indexes)}
            tmp = directory / (META_FILE + ".tmp")
            tmp.write_text(json.dumps(meta), encoding="utf-8")
            os.replace(tmp, directory / META_FILE)
            self._shards[name] = shard
            self._meta[name] = meta

    def delete_collection(self, name: str) -> None:
        """Close the collection's shard and remove its directory; no error if it does not exist."""
        self._require_open()
        directory = self._dir(name)
        with self._guard:
            shard = self._shards.pop(name, None)
            self._meta.pop(name, None)
            if shard is not None:
                shard.close()
            # Drop the marker first so a crash mid-delete leaves no half collection that looks whole.
            (directory / META_FILE).unlink(missing_ok=True)
            if directory.exists():
                shutil.rmtree(directory)

    def _load_meta(self, name: str) -> dict[str, Any]:
        meta = self._meta.get(name)
        if meta is None:
            try:
                meta = json.loads((self._dir(name) / META_FILE).read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise StoreError(f"collection {name!r} does not exist in {self.path}") from None
            assert isinstance(meta, dict)
            self._meta[name] = meta
        return meta

    def _shard(self, name: str) -> qe.EdgeShard:
        self._require_open()
        shard = self._shards.get(name)
        if shard is not None:
            return shard
        with self._guard:
            shard = self._shards.get(name)
            if shard is None:
                self._load_meta(name)
                directory = self._dir(name)
                try:
                    shard = qe.EdgeShard.load(str(directory))
                except Exception as exc:
                    raise _engine_error(directory, exc) from exc
                self._shards[name] = shard
            return shard

    def dense_size(self, name: str) -> int:
        """The dense dimension recorded when the collection was created."""
        self._require_open()
        with self._guard:
            return int(self._load_meta(name)["dense_size"])

    # -- points ------------------------------------------------------------------------------------

    def _update(self, name: str, operation: qe.UpdateOperation, flush: bool = True) -> None:
        shard = self._shard(name)
        try:
            shard.update(operation)
            if flush:
                shard.flush()
        except Exception as exc:
            raise _engine_error(self._dir(name), exc) from exc

    def upsert(self, name: str, points: Sequence[PointRecord]) -> None:
        """Insert or replace points, flushed to disk before returning."""
        if not points:
            self._shard(name)
            return
        size = self.dense_size(name)
        batch: list[qe.Point] = []
        for point in points:
            _check_id(point.id)
            if point.dense.shape != (size,):
                raise StoreError(f"point {point.id}: dense vector has shape {point.dense.shape}, expected ({size},)")
            vectors: dict[str, Any] = {
                DENSE_VECTOR: point.dense.astype(np.float32, copy=False).tolist(),
                LEXICAL_VECTOR: _sparse(point.sparse),
            }
            batch.append(qe.Point(id=point.id, vector=vectors, payload=dict(point.payload)))
        self._update(name, qe.UpdateOperation.upsert_points(batch))

    def delete(self, name: str, ids: Sequence[int] = (), filter: MatchFilter | None = None) -> None:
        """Delete the points with these ids, or (with a filter) every point matching it."""
        if ids:
            for point_id in ids:
                _check_id(point_id)
            self._update(name, qe.UpdateOperation.delete_points(list(ids)), flush=filter is None)
        if filter is not None:
            flt = _filter(filter)
            if flt is None:
                raise StoreError("delete with an empty filter would delete everything; use delete_collection")
            self._update(name, qe.UpdateOperation.delete_points_by_filter(flt))

    def set_payload(self, name: str, ids: Sequence[int], payload: Mapping[str, Any]) -> None:
        """Merge keys into the payload of those of ``ids`` that exist (missing ids are ignored)."""
        if not ids:
            return
        # The engine fails the whole operation on a missing id; the interface ignores them.
        existing: list[Any] = [r.id for r in self.retrieve(name, ids)]
        if existing:
            self._update(name, qe.UpdateOperation.set_payload(existing, dict(payload)))

    def _request(
        self,
        request: QueryRequest,
        filters: dict[int, qe.Filter | None],
        search_params: dict[int | None, qe.SearchParams],
    ) -> qe.QueryRequest:
        """The engine's form of a request. ``filters`` (by the id of the request's filter) and ``search_params``
        (by ``hnsw_ef``) keep what other requests of the batch already made: a checker's batch repeats one
        filter for hundreds of queries."""
        if id(request.filter) not in filters:
            filters[id(request.filter)] = _filter(request.filter)
        flt = filters[id(request.filter)]
        with_vector: list[str] | bool = [DENSE_VECTOR] if request.with_vectors else False
        params = None
        if request.dense is not None:
            if request.hnsw_ef not in search_params:
                search_params[request.hnsw_ef] = qe.SearchParams(
                    hnsw_ef=request.hnsw_ef,
                    quantization=qe.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING),
                )
            params = search_params[request.hnsw_ef]
        payload = qe.PayloadSelector.Include(list(request.payload_keys)) if request.payload_keys is not None else True
        dense = None
        if request.dense is not None:
            dense = qe.Query.Nearest(request.dense.astype(np.float32, copy=False).tolist(), using=DENSE_VECTOR)
        sparse = None
        if request.sparse is not None:
            sparse = qe.Query.Nearest(_sparse(request.sparse), using=LEXICAL_VECTOR)
        if dense is not None and sparse is not None:
            return qe.QueryRequest(
                limit=request.limit,
                prefetches=[
                    qe.Prefetch(limit=request.prefetch_limit, query=dense, filter=flt, params=params),
                    qe.Prefetch(limit=request.prefetch_limit, query=sparse, filter=flt),
                ],
                query=qe.Fusion.Rrf(k=RRF_K),  # type: ignore[arg-type]  # the stub omits Fusion.Rrf here
                filter=flt,
                with_payload=payload,
                with_vector=with_vector,
            )
        single = dense if dense is not None else sparse
        if single is None:
            raise StoreError("a query needs a dense vector, a sparse vector or both")
        return qe.QueryRequest(
            limit=request.limit,
            query=single,
            filter=flt,
            with_payload=payload,
            with_vector=with_vector,
            params=params,
        )

    def query(self, name: str, requests: Sequence[QueryRequest]) -> list[list[ScoredPoint]]:
        """Run the queries as one engine batch; hybrid ones are RRF-fused (k = ``RRF_K``)."""
        if not requests:
            return []
        shard = self._shard(name)
        filters: dict[int, qe.Filter | None] = {}
        search_params: dict[int | None, qe.SearchParams] = {}
        batch = qe.QueryBatchRequest([self._request(r, filters, search_params) for r in requests])
        try:
            answers = shard.query_batch(batch)
        except Exception as exc:
            raise _engine_error(self._dir(name), exc) from exc
        return [
            best_first(
                ScoredPoint(
                    id=int(hit.id),
                    score=float(hit.score),
                    payload=dict(hit.payload or {}),
                    dense=dense_of(hit.vector) if request.with_vectors else None,
                )
                for hit in hits
            )
            for request, hits in zip(requests, answers, strict=True)
        ]

    def scroll(self, name: str, filter: MatchFilter | None = None, with_vectors: bool = False) -> list[PointRecord]:
        """Every point matching the filter, ordered by id, paging through the shard."""
        shard = self._shard(name)
        flt = _filter(filter)
        out: list[PointRecord] = []
        offset: Any = None
        while True:
            try:
                records, offset = shard.scroll(
                    qe.ScrollRequest(
                        offset=offset, limit=_SCROLL_PAGE, filter=flt, with_payload=True, with_vector=with_vectors
                    )
                )
            except Exception as exc:
                raise _engine_error(self._dir(name), exc) from exc
            out.extend(_record(r, with_vectors) for r in records)
            if offset is None:
                return out

    def retrieve(self, name: str, ids: Sequence[int], with_vectors: bool = False) -> list[PointRecord]:
        """The existing points among ``ids``, in the order asked (duplicates kept once)."""
        if not ids:
            self._shard(name)
            return []
        for point_id in ids:
            _check_id(point_id)
        shard = self._shard(name)
        try:
            found = shard.retrieve(list(dict.fromkeys(ids)), True, with_vectors)
        except Exception as exc:
            raise _engine_error(self._dir(name), exc) from exc
        by_id = {int(r.id): _record(r, with_vectors) for r in found}
        return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    def count(self, name: str, filter: MatchFilter | None = None) -> int:
        """Exact number of points matching the filter."""
        shard = self._shard(name)
        try:
            return int(shard.count(qe.CountRequest(exact=True, filter=_filter(filter))))
        except Exception as exc:
            raise _engine_error(self._dir(name), exc) from exc

    def optimize(self, name: str) -> None:
        """Merge and index the collection's segments now (otherwise the engine does it lazily)."""
        shard = self._shard(name)
        shard.optimize()
        shard.flush()

    def close(self) -> None:
        """Flush and close every open shard and release the directory lock; safe to call twice."""
        with self._guard:
            shards, self._shards = self._shards, {}
            errors: list[str] = []
            for name, shard in shards.items():
                try:
                    shard.flush()
                    shard.close()
                except Exception as exc:
                    errors.append(f"{name}: {exc}")
            if self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
                self._lock_fd = None
            if errors:
                raise StoreError(f"closing {self.path}: " + "; ".join(errors))

    def __enter__(self) -> EdgeStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
