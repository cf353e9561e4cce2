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
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import qdrant_edge as qe

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

META_FILE = "brandcheck-collection.json"
LOCK_FILE = ".lock"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name) or name in {".", ".."}:
        raise StoreError(f"invalid collection name {name!r}: use letters, digits, '_', '-', '.'")


class EdgeStore(VectorStore):
    """Vector store embedded in this process on qdrant-edge; one shard directory per collection.

    Opening takes an exclusive lock on ``path``: a second ``EdgeStore`` on the same path, in this or
    another process, raises ``StoreError``. Shards are opened on first use and closed by ``close()``.
    """

    _models: ClassVar[Any] = qe

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        super().__init__(f"the store at {self.path}")
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock_fd: int | None = os.open(self.path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise StoreUnreachableError(
                f"{self.path} is in use by another process; one process owns an embedded store path"
            ) from None
        self._shards: dict[str, qe.EdgeShard] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def list_collections(self) -> list[str]:
        """Names of the existing collections, sorted."""
        self._require_open()
        return sorted(p.name for p in self.path.iterdir() if (p / META_FILE).is_file())

    # -- the shard directories -----------------------------------------------------------------------

    def _dir(self, name: str) -> Path:
        _check_name(name)
        return self.path / name

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
        shard = self._shards.get(name)
        if shard is not None:
            return shard
        with self._guard:
            shard = self._shards.get(name)
            if shard is None:
                self._load_meta(name)
                shard = qe.EdgeShard.load(str(self._dir(name)))
                self._shards[name] = shard
            return shard

    def _update(self, name: str, *operations: qe.UpdateOperation) -> None:
        """Apply the operations and flush: a write is on disk when it returns."""
        shard = self._shard(name)
        for operation in operations:
            shard.update(operation)
        shard.flush()

    # -- engine calls --------------------------------------------------------------------------------

    def _engine_error(self, what: str, name: str, exc: Exception) -> StoreError:
        del what  # the engine's message says it
        text = str(exc)
        if "WouldBlock" in text or "lock" in text.lower():
            return StoreUnreachableError(
                f"{self.path} is in use by another process; one process owns an embedded store path ({text})"
            )
        return StoreError(f"qdrant-edge failed on {self.path / name}: {text}")

    def _engine_collection_exists(self, name: str) -> bool:
        """Whether the collection was fully created (its metadata file exists)."""
        return (self._dir(name) / META_FILE).is_file()

    def _engine_create_collection(
        self, name: str, dense_size: int, keyword_indexes: list[str], dense_index: bool, quantized: bool
    ) -> None:
        """Create the shard with a cosine dense vector, an IDF sparse vector and keyword indexes; the
        metadata file, written last, makes it exist."""
        directory = self._dir(name)
        if directory.exists():  # left over from a creation that did not finish
            shutil.rmtree(directory)
        config = qe.EdgeConfig(
            vectors={
                DENSE_VECTOR: qe.EdgeVectorParams(
                    size=dense_size,
                    distance=qe.Distance.Cosine,
                    # m=0: no graph (searches scan), so the optimizer spends nothing on it.
                    hnsw_config=None if dense_index else qe.HnswIndexConfig(m=0, ef_construct=1, full_scan_threshold=0),
                    quantization_config=qe.ScalarQuantizationConfig(
                        type=qe.ScalarType.Int8, quantile=QUANTILE, always_ram=True
                    )
                    if quantized
                    else None,
                )
            },
            sparse_vectors={LEXICAL_VECTOR: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )
        shard = qe.EdgeShard.create(str(directory), config)
        for key in keyword_indexes:
            shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword))
        shard.flush()
        meta = {"format": 1, "dense_size": dense_size, "keyword_indexes": keyword_indexes}
        tmp = directory / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, directory / META_FILE)
        self._shards[name] = shard
        self._meta[name] = meta

    def _engine_delete_collection(self, name: str) -> None:
        """Close the collection's shard and remove its directory."""
        directory = self._dir(name)
        shard = self._shards.pop(name, None)
        self._meta.pop(name, None)
        if shard is not None:
            shard.close()
        # Drop the marker first so a crash mid-delete leaves no half collection that looks whole.
        (directory / META_FILE).unlink(missing_ok=True)
        if directory.exists():
            shutil.rmtree(directory)

    def _engine_dense_size(self, name: str) -> int:
        """The dense dimension recorded when the collection was created."""
        with self._guard:
            return int(self._load_meta(name)["dense_size"])

    def _engine_upsert(self, name: str, points: Sequence[PointRecord]) -> None:
        batch = [qe.Point(id=point.id, vector=self._vectors(point), payload=dict(point.payload)) for point in points]
        self._update(name, qe.UpdateOperation.upsert_points(batch))

    # ``list[Any](ids)``: the stubs take lists of int, str or UUID ids, and a list[int] is not one (lists are
    # invariant).
    def _engine_delete(self, name: str, ids: list[int], flt: qe.Filter | None) -> None:
        operations = [qe.UpdateOperation.delete_points(list[Any](ids))] if ids else []
        if flt is not None:
            operations.append(qe.UpdateOperation.delete_points_by_filter(flt))
        self._update(name, *operations)

    def _engine_set_payload(self, name: str, ids: list[int], payload: dict[str, Any]) -> None:
        self._update(name, qe.UpdateOperation.set_payload(list[Any](ids), payload))

    def _engine_query(
        self, name: str, requests: Sequence[QueryRequest], filters: Sequence[qe.Filter | None]
    ) -> list[Any]:
        """The requests as one engine batch."""
        shard = self._shard(name)
        search_params: dict[int | None, qe.SearchParams] = {}
        batch = [self._request(request, flt, search_params) for request, flt in zip(requests, filters, strict=True)]
        return list(shard.query_batch(qe.QueryBatchRequest(batch)))

    def _request(
        self, request: QueryRequest, flt: qe.Filter | None, search_params: dict[int | None, qe.SearchParams]
    ) -> qe.QueryRequest:
        """The engine's form of a request. ``search_params`` (by ``hnsw_ef``) keeps what other requests of
        the batch already made."""
        with_vector: list[str] | bool = [DENSE_VECTOR] if request.with_vectors else False
        payload = qe.PayloadSelector.Include(list(request.payload_keys)) if request.payload_keys is not None else True
        params = None
        dense = None
        if request.dense is not None:
            if request.hnsw_ef not in search_params:
                search_params[request.hnsw_ef] = qe.SearchParams(
                    hnsw_ef=request.hnsw_ef,
                    quantization=qe.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING),
                )
            params = search_params[request.hnsw_ef]
            dense = qe.Query.Nearest(dense_list(request.dense), using=DENSE_VECTOR)
        sparse = None
        if request.sparse is not None:
            sparse = qe.Query.Nearest(self._sparse(request.sparse), using=LEXICAL_VECTOR)
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
        return qe.QueryRequest(
            limit=request.limit,
            query=dense if dense is not None else sparse,
            filter=flt,
            with_payload=payload,
            with_vector=with_vector,
            params=params,
        )

    def _engine_scroll(
        self, name: str, flt: qe.Filter | None, offset: Any, limit: int, with_vectors: bool
    ) -> tuple[list[Any], Any]:
        request = qe.ScrollRequest(offset=offset, limit=limit, filter=flt, with_payload=True, with_vector=with_vectors)
        records, next_offset = self._shard(name).scroll(request)
        return list(records), next_offset

    def _engine_retrieve(self, name: str, ids: list[int], with_vectors: bool) -> list[Any]:
        return list(self._shard(name).retrieve(list[Any](ids), True, with_vectors))

    def _engine_count(self, name: str, flt: qe.Filter | None) -> int:
        return int(self._shard(name).count(qe.CountRequest(exact=True, filter=flt)))

    def _engine_optimize(self, name: str) -> None:
        """Merge and index the collection's segments now (otherwise the engine does it lazily)."""
        shard = self._shard(name)
        shard.optimize()
        shard.flush()

    def _engine_close(self) -> None:
        """Flush and close every open shard and release the directory lock."""
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
