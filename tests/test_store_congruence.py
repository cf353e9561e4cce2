"""The embedded (qdrant-edge) and server (qdrant-client) stores behave the same.

Both backends get the same synthetic product sentences (dense vectors from the multilingual USE model,
lexical vectors from ``LexicalEncoder``) and must answer dense, lexical and hybrid queries with the
same ranking and close scores, with and without filters, and agree on every write and read operation:
the refusals too (wrong vector dimension, missing collection, deletes that would empty a collection, bad
ids), and what calls with nothing to do do. A second corpus of 5,000 random points (module-scoped, loaded
once) checks that the same queries, counts, retrieves and multi-page scrolls give the same answers, in
the same order, at a size where the scroll needs several pages.

The server backend runs on qdrant-client's local mode (in-process, exact search). To run it against a
real Qdrant server instead, set ``BRANDCHECK_TEST_QDRANT_URL`` (e.g. ``http://localhost:6333``): the
tests then create their collections there under a name prefix unique to the run
(``brandcheck_test_<random>_``) and delete them after each test (the large corpus at the end of the
module). Collections of other runs or other users are never touched.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qdrant_client import QdrantClient

from knowledge_base.lexical import LexicalEncoder
from knowledge_base.store import (
    EdgeStore,
    MatchFilter,
    PointRecord,
    QueryRequest,
    ScoredPoint,
    SparseVector,
    StoreError,
    StoreUnreachableError,
    Vector,
    VectorStore,
)
from knowledge_base.store.base import MAX_POINT_ID, SCROLL_PAGE
from knowledge_base.store.server import QdrantServerStore

# qdrant-client's local mode accepts payload indexes but says it ignores them.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning"),
    pytest.mark.filterwarnings("ignore:Local mode performs exact"),  # the stand-in server scans: no search params
]

REPO = Path(__file__).resolve().parents[1]
QDRANT_URL = os.environ.get("BRANDCHECK_TEST_QDRANT_URL") or None
PREFIX = f"brandcheck_test_{uuid.uuid4().hex[:8]}_"


def _name(base: str) -> str:
    """A collection name of this run: unique on a shared server, the same for both backends."""
    return PREFIX + base


COLLECTION = _name("items")
INDEXES = ("kb_id", "kind", "product")

# (product, kind, text): an invented kettle described in Chinese, an invented e-bike in English.
ITEMS: list[tuple[str, str, str]] = [
    ("kettle", "fact", "晴川K5电热水壶容量为1.7升。"),
    ("kettle", "fact", "额定功率1800瓦,3分钟即可烧开一壶水。"),
    ("kettle", "fact", "内胆采用304不锈钢,不含塑料接触面。"),
    ("kettle", "fact", "支持40到100摄氏度六档控温。"),
    ("kettle", "fact", "保温功能最长可持续12小时。"),
    ("kettle", "fact", "干烧时会在10秒内自动断电。"),
    ("kettle", "fact", "整机重量1.2千克。"),
    ("kettle", "fact", "官方售价299元,保修两年。"),
    ("kettle", "fact", "壶身为双层防烫设计,外壁温度不超过50度。"),
    ("kettle", "fact", "不可放入洗碗机清洗。"),
    ("kettle", "fact", "底座电源线长度为0.8米。"),
    ("kettle", "fact", "烧水时噪音低于55分贝。"),
    ("kettle", "message", "三分钟一壶开水,早晨不再手忙脚乱。"),
    ("kettle", "message", "六档精准控温,泡茶冲奶都合适。"),
    ("kettle", "message", "双层防烫,家里有孩子也放心。"),
    ("kettle", "avoid", "与其他品牌比较价格或打折促销。"),
    ("kettle", "fact", "壶盖可一键弹开,单手即可加水。"),
    ("kettle", "fact", "水位刻度清晰可见,最低加水量0.5升。"),
    ("kettle", "fact", "本产品仅适用于220伏电压。"),
    ("kettle", "fact", "首次使用前请先烧开两次水并倒掉。"),
    ("ebike", "fact", "The Strata E7 e-bike has a 504 Wh removable battery."),
    ("ebike", "fact", "Range is up to 80 km on the eco assist level."),
    ("ebike", "fact", "A full charge takes 4.5 hours with the included 4 A charger."),
    ("ebike", "fact", "The motor is a 250 W mid-drive with 65 Nm of torque."),
    ("ebike", "fact", "Assist cuts out at 25 km/h, as EU law requires."),
    ("ebike", "fact", "The frame is aluminium and the bike weighs 22 kg."),
    ("ebike", "fact", "It is rated IPX4: fine in the rain, not for pressure washing."),
    ("ebike", "fact", "Hydraulic disc brakes with 180 mm rotors front and rear."),
    ("ebike", "fact", "Maximum rider plus luggage weight is 130 kg."),
    ("ebike", "fact", "The battery warranty is 2 years or 500 charge cycles."),
    ("ebike", "fact", "Integrated front and rear LED lights run from the main battery."),
    ("ebike", "fact", "The list price is 2,499 euros."),
    ("ebike", "message", "Ride to work without arriving sweaty."),
    ("ebike", "message", "One charge covers a week of commuting."),
    ("ebike", "message", "Light enough to carry up a flight of stairs."),
    ("ebike", "avoid", "Comparisons with cheaper no-name e-bikes."),
    ("ebike", "fact", "Tyres are 27.5 inch puncture-resistant city tyres."),
    ("ebike", "fact", "The display shows speed, range and battery level."),
    ("ebike", "fact", "The app can lock the motor when the bike is parked."),
    ("ebike", "prohibited", "Riding the e-bike cures back pain."),
]

QUERIES: list[str] = [
    "这个水壶烧水要多久?",
    "水壶能保温多长时间",
    "K5可以放洗碗机吗",
    "How far can I ride on one charge?",
    "Is the bike waterproof enough for rain?",
    "charging time of the battery",
    "it weighs 22 kg, can I carry it upstairs",
    "电动车一次充电能骑多远",  # cross-language: Chinese question, English items
]


@dataclass(frozen=True)
class Corpus:
    """The synthetic items as points plus the query vectors, shared by every test."""

    points: list[PointRecord]
    query_dense: Vector
    query_sparse: list[SparseVector]
    dense_size: int


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    from knowledge_base.preload import load_use

    model = load_use(threads=2)
    encoder = LexicalEncoder()
    dense = np.asarray(model.encode([text for _, _, text in ITEMS]), dtype=np.float32)
    sparse = encoder.encode_documents([text for _, _, text in ITEMS])
    points = [
        PointRecord(
            id=1000 + i * 7,
            dense=dense[i],
            sparse=sparse[i],
            payload={"kb_id": f"kb-{product}", "product": product, "kind": kind, "generation": 1, "text": text},
        )
        for i, (product, kind, text) in enumerate(ITEMS)
    ]
    query_dense = np.asarray(model.encode(QUERIES), dtype=np.float32)
    return Corpus(points, query_dense, encoder.encode_queries(QUERIES), int(dense.shape[1]))


def _open(kind: str, path: Path) -> VectorStore:
    if kind == "edge":
        return EdgeStore(path / "edge")
    if QDRANT_URL is not None:
        return QdrantServerStore.from_url(QDRANT_URL)
    return QdrantServerStore(QdrantClient(":memory:"))


def _drop_server_collections(keep: tuple[str, ...] = ()) -> None:
    """On a real server, delete this run's collections (but ``keep``); local mode needs nothing."""
    if QDRANT_URL is None:
        return
    client = QdrantClient(url=QDRANT_URL)
    try:
        for collection in client.get_collections().collections:
            if collection.name.startswith(PREFIX) and collection.name not in keep:
                client.delete_collection(collection.name)
    finally:
        client.close()


@pytest.fixture(autouse=True)
def _clean_server() -> Iterator[None]:
    yield
    _drop_server_collections(keep=(LARGE,))


def _loaded(kind: str, tmp_path: Path, corpus: Corpus) -> VectorStore:
    store = _open(kind, tmp_path)
    store.create_collection(COLLECTION, corpus.dense_size, INDEXES)
    # Inserted in id order: the engines order tied scores differently (qdrant-edge by insertion,
    # qdrant-client by id), and a tie on one side of a hybrid query moves RRF ranks.
    store.upsert(COLLECTION, corpus.points)
    return store


@pytest.fixture(params=["edge", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path, corpus: Corpus) -> Iterator[VectorStore]:
    loaded = _loaded(request.param, tmp_path, corpus)
    yield loaded
    loaded.close()


@pytest.fixture
def both(tmp_path: Path, corpus: Corpus) -> Iterator[tuple[VectorStore, VectorStore]]:
    edge = _loaded("edge", tmp_path, corpus)
    server = _loaded("server", tmp_path, corpus)
    yield edge, server
    edge.close()
    server.close()


def _ranking(hits: list[ScoredPoint]) -> list[tuple[int, float]]:
    # Tied scores may come back in either order; sort ties by id so rankings compare equal.
    return sorted(((h.id, round(h.score, 4)) for h in hits), key=lambda pair: (-pair[1], pair[0]))


def _assert_same_ranking(mine: list[ScoredPoint], theirs: list[ScoredPoint]) -> None:
    """Same ids in the same order and close scores; only points with tied scores may swap places."""
    assert len(mine) == len(theirs)
    their_score = {h.id: h.score for h in theirs}
    assert {h.id for h in mine} == set(their_score)
    for hit in mine:
        assert hit.score == pytest.approx(their_score[hit.id], rel=1e-3, abs=1e-5)
    for x, y in zip(mine, theirs, strict=True):
        if x.id != y.id:
            assert x.score == pytest.approx(y.score, abs=1e-5)


def _texts(hits: list[ScoredPoint]) -> list[str]:
    return [str(h.payload["text"]) for h in hits]


FILTERS: list[MatchFilter | None] = [
    None,
    MatchFilter({"product": "kettle"}),
    MatchFilter({"kind": ["message", "avoid"]}),
    MatchFilter({"kb_id": "kb-ebike", "kind": ("fact",), "generation": 1}),
    MatchFilter({"product": "no-such-product"}),
]


def _has_ties(hits: list[ScoredPoint]) -> bool:
    return any(abs(x.score - y.score) <= 1e-6 * max(1.0, abs(x.score)) for x, y in itertools.pairwise(hits))


@pytest.mark.parametrize("flt", FILTERS, ids=["none", "product", "kinds-any", "three-keys", "no-match"])
@pytest.mark.parametrize("mode", ["dense", "sparse", "hybrid"])
def test_backends_rank_alike(both: tuple[VectorStore, VectorStore], corpus: Corpus, mode: str, flt: Any) -> None:
    requests = [
        QueryRequest(
            dense=corpus.query_dense[i] if mode != "sparse" else None,
            sparse=corpus.query_sparse[i] if mode != "dense" else None,
            filter=flt,
            limit=8,
            prefetch_limit=20,
            hnsw_ef=32,  # accepted by both; a corpus this small is scanned, so ranks stay exact
        )
        for i in range(len(QUERIES))
    ]
    edge, server = both
    edge_hits = edge.query(COLLECTION, requests)
    server_hits = server.query(COLLECTION, requests)
    assert len(edge_hits) == len(server_hits) == len(QUERIES)
    strict = 0
    for request, mine, theirs in zip(requests, edge_hits, server_hits, strict=True):
        if mode == "hybrid":
            # Tied scores on one side come back in an engine-specific (even run-to-run) order, which
            # moves their RRF ranks by a place or two: strict only when neither side has ties.
            sides = [
                QueryRequest(dense=request.dense, filter=flt, limit=request.prefetch_limit),
                QueryRequest(sparse=request.sparse, filter=flt, limit=request.prefetch_limit),
            ]
            if any(_has_ties(side) for side in server.query(COLLECTION, sides)):
                mine_by_id = {h.id: h.score for h in mine}
                common = [h for h in theirs if h.id in mine_by_id]
                assert len(common) >= len(theirs) - 2
                for hit in common:
                    assert hit.score == pytest.approx(mine_by_id[hit.id], abs=1e-3)
                continue
        _assert_same_ranking(mine, theirs)
        strict += 1
    assert strict >= len(QUERIES) // 2
    if flt is not None and flt.must.get("product") == "no-such-product":
        assert all(hits == [] for hits in edge_hits)
    elif mode == "dense":
        assert all(len(hits) == min(8, edge.count(COLLECTION, flt)) for hits in edge_hits)


def test_results_respect_filters(store: VectorStore, corpus: Corpus) -> None:
    hybrid = QueryRequest(dense=corpus.query_dense[0], sparse=corpus.query_sparse[0], limit=40)
    (unfiltered,) = store.query(COLLECTION, [hybrid])
    assert {h.payload["product"] for h in unfiltered} == {"kettle", "ebike"}
    kinds = MatchFilter({"kind": ["message", "avoid"]})
    (filtered,) = store.query(COLLECTION, [QueryRequest(dense=corpus.query_dense[0], filter=kinds, limit=40)])
    assert {h.payload["kind"] for h in filtered} == {"message", "avoid"}
    assert len(filtered) == store.count(COLLECTION, kinds) == 8


def test_the_matching_item_comes_first(store: VectorStore, corpus: Corpus) -> None:
    def top(i: int, mode: str) -> str:
        request = QueryRequest(
            dense=corpus.query_dense[i] if mode != "sparse" else None,
            sparse=corpus.query_sparse[i] if mode != "dense" else None,
            limit=3,
        )
        (hits,) = store.query(COLLECTION, [request])
        return _texts(hits)[0]

    assert "3分钟" in top(0, "dense")  # how long does it take to boil
    for mode in ("dense", "hybrid"):
        assert "保温" in top(1, mode)  # how long does it keep warm
        assert "IPX4" in top(4, mode)  # waterproof enough for rain
    for mode in ("dense", "sparse", "hybrid"):
        assert "洗碗机" in top(2, mode)  # dishwasher
    # "ride" (rarer) and "charge" (in four items) are its only content terms: both items are among the first
    (hits,) = store.query(COLLECTION, [QueryRequest(sparse=corpus.query_sparse[3], limit=3)])
    assert any("One charge" in text for text in _texts(hits)) and "Ride to work" in _texts(hits)[0]
    assert "22 kg" in top(6, "sparse")  # "22 kg" matches as one number-with-unit token
    (nothing,) = store.query(COLLECTION, [QueryRequest(sparse=SparseVector([], []), limit=3)])
    assert nothing == []


def test_single_vector_scores_are_raw_similarities(store: VectorStore, corpus: Corpus) -> None:
    item = corpus.points[3]
    (dense_hits,) = store.query(COLLECTION, [QueryRequest(dense=item.dense, limit=1)])
    assert dense_hits[0].id == item.id
    assert dense_hits[0].score == pytest.approx(1.0, abs=1e-4)  # cosine of a vector with itself
    (hybrid_hits,) = store.query(COLLECTION, [QueryRequest(dense=item.dense, sparse=item.sparse, limit=1)])
    assert hybrid_hits[0].id == item.id
    assert hybrid_hits[0].score == pytest.approx(2 / 60)  # first on both sides, RRF with k=60


def test_query_can_return_dense_vectors(store: VectorStore, corpus: Corpus) -> None:
    item = corpus.points[5]
    answers = store.query(
        COLLECTION,
        [
            QueryRequest(dense=item.dense, sparse=item.sparse, limit=2, with_vectors=True),
            QueryRequest(dense=item.dense, limit=2),
        ],
    )
    with_vectors, without = answers
    assert with_vectors[0].dense is not None
    assert np.allclose(with_vectors[0].dense, item.dense / np.linalg.norm(item.dense), atol=1e-5)
    assert without[0].dense is None


def test_delete_by_ids_and_by_filter(both: tuple[VectorStore, VectorStore], corpus: Corpus) -> None:
    gone = [corpus.points[0].id, corpus.points[21].id, 999_999]  # the last one never existed
    for store in both:
        store.delete(COLLECTION, ids=gone)
        assert store.count(COLLECTION) == len(ITEMS) - 2
        assert store.retrieve(COLLECTION, gone) == []
        store.delete(COLLECTION, filter=MatchFilter({"product": "ebike", "kind": ["message", "avoid"]}))
        assert store.count(COLLECTION, MatchFilter({"product": "ebike"})) == 20 - 1 - 4
        assert store.count(COLLECTION, MatchFilter({"product": "kettle"})) == 20 - 1
    edge, server = both
    assert [p.id for p in edge.scroll(COLLECTION)] == [p.id for p in server.scroll(COLLECTION)]
    request = QueryRequest(dense=corpus.query_dense[3], sparse=corpus.query_sparse[3], limit=10)
    _assert_same_ranking(edge.query(COLLECTION, [request])[0], server.query(COLLECTION, [request])[0])


def test_set_payload_merges_keys(both: tuple[VectorStore, VectorStore], corpus: Corpus) -> None:
    ids = [corpus.points[1].id, corpus.points[2].id, 123_456]  # the last one does not exist: ignored
    for store in both:
        store.set_payload(COLLECTION, ids, {"generation": 2, "reviewed": True})
        first, second = store.retrieve(COLLECTION, ids)
        assert second.payload["generation"] == 2
        assert first.payload["generation"] == 2 and first.payload["reviewed"] is True
        assert first.payload["text"] == ITEMS[1][2]  # untouched keys stay
        assert store.count(COLLECTION, MatchFilter({"generation": 2})) == 2
        assert store.count(COLLECTION, MatchFilter({"generation": [1, 2]})) == len(ITEMS)
        assert store.retrieve(COLLECTION, [123_456]) == []
    edge, server = both
    assert [p.payload for p in edge.scroll(COLLECTION)] == [p.payload for p in server.scroll(COLLECTION)]


def test_scroll_is_ordered_by_id(both: tuple[VectorStore, VectorStore], corpus: Corpus) -> None:
    shuffled_collection = _name("shuffled")
    expected = sorted(p.id for p in corpus.points)
    shuffled = [corpus.points[i] for i in np.random.default_rng(7).permutation(len(corpus.points))]
    for store in both:
        store.create_collection(shuffled_collection, corpus.dense_size)
        store.upsert(shuffled_collection, shuffled[:25])
        store.upsert(shuffled_collection, shuffled[25:])
        assert [p.id for p in store.scroll(shuffled_collection)] == expected
        everything = store.scroll(COLLECTION)
        assert [p.id for p in everything] == expected
        assert everything[0].dense.size == 0 and everything[0].sparse.is_empty()  # no vectors unless asked
        kettle = store.scroll(COLLECTION, MatchFilter({"product": "kettle"}))
        assert [p.id for p in kettle] == sorted(p.id for p in corpus.points if p.payload["product"] == "kettle")
    edge_full, server_full = (store.scroll(COLLECTION, with_vectors=True) for store in both)
    for mine, theirs, original in zip(edge_full, server_full, sorted(corpus.points, key=lambda p: p.id), strict=True):
        assert mine.payload == theirs.payload == original.payload
        assert mine.sparse.indices == theirs.sparse.indices == original.sparse.indices
        assert np.allclose(mine.sparse.values, original.sparse.values)
        assert np.allclose(theirs.sparse.values, original.sparse.values)
        assert np.allclose(mine.dense, theirs.dense, atol=1e-6)


def test_retrieve_keeps_the_asked_order(store: VectorStore, corpus: Corpus) -> None:
    wanted = [corpus.points[9].id, 5, corpus.points[2].id, corpus.points[30].id]
    found = store.retrieve(COLLECTION, wanted, with_vectors=True)
    assert [p.id for p in found] == [corpus.points[9].id, corpus.points[2].id, corpus.points[30].id]
    assert found[0].payload == corpus.points[9].payload
    assert found[0].dense.shape == (corpus.dense_size,)
    assert found[0].sparse.indices == corpus.points[9].sparse.indices
    assert store.retrieve(COLLECTION, [corpus.points[9].id])[0].dense.size == 0


def test_query_can_return_only_some_payload_keys(store: VectorStore, corpus: Corpus) -> None:
    item = corpus.points[5]
    nested = PointRecord(item.id, item.dense, item.sparse, {**item.payload, "item": {"text": "t", "source": "s"}})
    store.upsert(COLLECTION, [nested])
    some, none_, every = store.query(
        COLLECTION,
        [
            QueryRequest(dense=item.dense, sparse=item.sparse, limit=1, payload_keys=("kind", "item.text")),
            QueryRequest(sparse=item.sparse, limit=1, payload_keys=()),
            QueryRequest(dense=item.dense, limit=1),
        ],
    )
    assert some[0].payload == {"kind": item.payload["kind"], "item": {"text": "t"}}
    assert none_[0].payload == {}
    assert every[0].payload == nested.payload


def test_quantized_collection_ranks_like_the_other_backend(
    both: tuple[VectorStore, VectorStore], corpus: Corpus
) -> None:
    """Items collections keep int8 vectors for the graph search; rescoring keeps the float ranking."""
    quantized = _name("quantized")
    for store in both:
        store.create_collection(quantized, corpus.dense_size, ("kb_id",), quantized=True)
        store.upsert(quantized, corpus.points)
        store.optimize(quantized)
    edge, server = both
    requests = [QueryRequest(dense=corpus.query_dense[i], limit=5, hnsw_ef=32) for i in range(len(QUERIES))]
    for mine, theirs in zip(edge.query(quantized, requests), server.query(quantized, requests), strict=True):
        _assert_same_ranking(mine, theirs)


def test_unindexed_collection_holds_and_finds_vectors(store: VectorStore, corpus: Corpus) -> None:
    """A collection without an HNSW graph (the claims collection) stores, returns and scans like any other."""
    unindexed = _name("unindexed")
    store.create_collection(unindexed, corpus.dense_size, ("kb_id",), dense_index=False)
    points = [PointRecord(p.id, p.dense, SparseVector([], []), {"kb_id": "kb-a"}) for p in corpus.points[:10]]
    store.upsert(unindexed, points)
    found = store.retrieve(unindexed, [points[3].id], with_vectors=True)
    assert np.allclose(found[0].dense, points[3].dense, atol=1e-6)
    (hits,) = store.query(unindexed, [QueryRequest(dense=points[3].dense, limit=1)])
    assert hits[0].id == points[3].id
    store.delete(unindexed, filter=MatchFilter({"kb_id": "kb-a"}))
    assert store.count(unindexed) == 0


def test_equal_scores_come_back_by_point_id(store: VectorStore, corpus: Corpus) -> None:
    """Ties come back in point-id order on both backends and in every process, so the same post is checked
    the same way after a restart: identical items, and a fused pair ranked 1st/2nd and 2nd/1st."""
    ties = _name("ties")
    fused = _name("fused")
    store.create_collection(ties, corpus.dense_size)
    first, second = corpus.points[3], corpus.points[20]
    twins = [PointRecord(point_id, first.dense, first.sparse, {}) for point_id in (90, 70, 50, 30, 10)]
    store.upsert(ties, twins)  # inserted highest id first
    for request in (QueryRequest(dense=first.dense, limit=5), QueryRequest(sparse=first.sparse, limit=5)):
        (hits,) = store.query(ties, [request])
        # Scores of identical items may differ in the last bits (the stand-in server's float arithmetic);
        # where they are equal, the lower id comes first.
        assert len(hits) == 5
        assert [(-hit.score, hit.id) for hit in hits] == sorted((-hit.score, hit.id) for hit in hits)
    store.create_collection(fused, corpus.dense_size)
    weaker = SparseVector(list(first.sparse.indices), [value / 2 for value in first.sparse.values])
    crossed = [PointRecord(20, first.dense, weaker, {}), PointRecord(10, second.dense, first.sparse, {})]
    store.upsert(fused, crossed)  # 20 wins the dense side, 10 the lexical side
    (hits,) = store.query(fused, [QueryRequest(dense=first.dense, sparse=first.sparse, limit=2, prefetch_limit=2)])
    assert hits[0].score == pytest.approx(hits[1].score)
    assert [hit.id for hit in hits] == [10, 20]


def test_upsert_replaces_a_point(store: VectorStore, corpus: Corpus) -> None:
    old = corpus.points[4]
    new = PointRecord(old.id, corpus.points[25].dense, corpus.points[25].sparse, {"kb_id": "kb-x", "kind": "fact"})
    store.upsert(COLLECTION, [new])
    assert store.count(COLLECTION) == len(ITEMS)
    assert store.retrieve(COLLECTION, [old.id])[0].payload == {"kb_id": "kb-x", "kind": "fact"}
    (hits,) = store.query(COLLECTION, [QueryRequest(dense=old.dense, limit=1)])
    assert hits[0].id != old.id  # its old vector is gone


def test_collections_and_errors(store: VectorStore, corpus: Corpus) -> None:
    other = _name("other")
    assert store.collection_exists(COLLECTION)
    assert not store.collection_exists(other)
    assert store.dense_size(COLLECTION) == corpus.dense_size
    with pytest.raises(StoreError):
        store.create_collection(COLLECTION, 8)
    with pytest.raises(StoreError):
        store.count(other)
    with pytest.raises(StoreError):
        store.query(other, [QueryRequest(dense=corpus.query_dense[0])])
    with pytest.raises(StoreError, match="boolean"):
        store.count(COLLECTION, MatchFilter({"reviewed": True}))
    with pytest.raises(StoreError):
        store.query(COLLECTION, [QueryRequest()])
    with pytest.raises(StoreError):
        store.upsert(COLLECTION, [PointRecord(-1, corpus.points[0].dense, corpus.points[0].sparse, {})])
    store.create_collection(other, 3, ("kind",))
    assert store.dense_size(other) == 3 and store.count(other) == 0
    store.upsert(other, [PointRecord(1, np.ones(3, np.float32), SparseVector([], []), {"kind": "meta"})])
    assert store.count(other, MatchFilter({"kind": "meta"})) == 1
    assert store.count(COLLECTION) == len(ITEMS)  # collections are separate
    store.delete_collection(other)
    assert not store.collection_exists(other)
    store.delete_collection(other)  # deleting a missing collection is not an error


def test_closed_store_refuses_work(store: VectorStore) -> None:
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="closed"):
        store.count(COLLECTION)


def test_a_store_that_cannot_be_had_is_unreachable_and_a_refused_call_is_not(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that nothing listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Without the version check, whose thread would only warn that nothing answers.
    server = QdrantServerStore(QdrantClient(url=f"http://127.0.0.1:{port}", timeout=1, check_compatibility=False))
    with pytest.raises(StoreUnreachableError, match="Connection refused"):
        server.count(COLLECTION)
    server.close()
    edge = EdgeStore(tmp_path / "edge")
    with pytest.raises(StoreUnreachableError, match="in use by another process"):
        EdgeStore(tmp_path / "edge")
    with pytest.raises(StoreError, match="invalid collection name") as refused:
        edge.count("../elsewhere")
    assert not isinstance(refused.value, StoreUnreachableError)
    edge.close()
    with pytest.raises(StoreUnreachableError, match="closed"):
        edge.count(COLLECTION)


# -- where the backends used to differ: both refuse alike ----------------------------------------------


def _point(point_id: int, dense: Vector, payload: dict[str, Any] | None = None) -> PointRecord:
    return PointRecord(point_id, dense, SparseVector([], []), payload or {})


def test_a_dense_vector_of_the_wrong_dimension_is_refused(store: VectorStore, corpus: Corpus) -> None:
    size = corpus.dense_size
    good, bad = _point(1, corpus.points[0].dense), _point(2, corpus.points[0].dense[:-1])
    with pytest.raises(StoreError, match=rf"point 2: .*shape \({size - 1},\), expected \({size},\)"):
        store.upsert(COLLECTION, [good, bad])
    assert store.retrieve(COLLECTION, [1]) == []  # nothing of the batch was written
    assert store.count(COLLECTION) == len(ITEMS)
    small = _name("small")
    store.create_collection(small, 3)
    with pytest.raises(StoreError, match=r"expected \(3,\)"):
        store.upsert(small, [_point(1, np.ones(4, np.float32))])
    with pytest.raises(StoreError, match=r"expected \(3,\)"):
        store.upsert(small, [_point(1, np.ones((1, 3), np.float32))])
    assert store.count(small) == 0


def test_a_missing_collection_is_an_error_for_every_write_and_read(store: VectorStore, corpus: Corpus) -> None:
    missing = _name("missing")
    point = corpus.points[0]
    attempts = {
        "upsert": lambda: store.upsert(missing, [point]),
        "upsert nothing": lambda: store.upsert(missing, []),
        "delete ids": lambda: store.delete(missing, ids=[point.id]),
        "delete by filter": lambda: store.delete(missing, filter=MatchFilter({"kind": "fact"})),
        "set_payload": lambda: store.set_payload(missing, [point.id], {"generation": 2}),
        "retrieve": lambda: store.retrieve(missing, [point.id]),
        "retrieve nothing": lambda: store.retrieve(missing, []),
        "scroll": lambda: store.scroll(missing),
        "count": lambda: store.count(missing),
        "dense_size": lambda: store.dense_size(missing),
        "query": lambda: store.query(missing, [QueryRequest(dense=point.dense)]),
    }
    for what, attempt in attempts.items():
        try:
            attempt()
        except StoreError as exc:
            assert missing in str(exc), what  # the message names the collection
        else:
            pytest.fail(f"{what} on a missing collection did not raise")
    # Calls with nothing to do reach no engine and so do not notice.
    store.set_payload(missing, [], {"generation": 2})
    store.delete(missing)
    assert store.query(missing, []) == []
    assert not store.collection_exists(missing)  # no write created it


def test_calls_with_nothing_to_do_change_nothing(both: tuple[VectorStore, VectorStore]) -> None:
    for store in both:
        before = store.scroll(COLLECTION)
        store.upsert(COLLECTION, [])
        store.set_payload(COLLECTION, [], {"generation": 2})
        store.set_payload(COLLECTION, [123_456], {"generation": 2})  # only missing ids
        store.delete(COLLECTION)
        store.delete(COLLECTION, ids=[])
        store.delete(COLLECTION, ids=[123_456])
        assert store.query(COLLECTION, []) == []
        assert store.retrieve(COLLECTION, []) == []
        assert store.scroll(COLLECTION) == before
        assert store.count(COLLECTION) == len(ITEMS)


def test_delete_guards_refuse_before_deleting_anything(both: tuple[VectorStore, VectorStore], corpus: Corpus) -> None:
    kept = corpus.points[0].id
    for store in both:
        for everything in (MatchFilter(), MatchFilter({})):
            with pytest.raises(StoreError, match="empty filter"):
                store.delete(COLLECTION, filter=everything)
            with pytest.raises(StoreError, match="empty filter"):
                store.delete(COLLECTION, ids=[kept], filter=everything)
        with pytest.raises(StoreError, match="boolean"):
            store.delete(COLLECTION, ids=[kept], filter=MatchFilter({"reviewed": True}))
        with pytest.raises(StoreError, match="unsupported value"):
            store.delete(COLLECTION, filter=MatchFilter({"generation": 1.5}))
        for bad_id in (-1, MAX_POINT_ID):
            with pytest.raises(StoreError, match="out of range"):
                store.delete(COLLECTION, ids=[kept, bad_id])
        assert store.count(COLLECTION) == len(ITEMS)
        store.delete(COLLECTION, filter=MatchFilter({"product": "no-such-product"}))
        assert store.count(COLLECTION) == len(ITEMS)
        store.delete(COLLECTION, ids=[kept], filter=MatchFilter({"kind": "avoid"}))  # both, in one call
        assert store.retrieve(COLLECTION, [kept]) == []
        assert store.count(COLLECTION) == len(ITEMS) - 1 - 2
    edge, server = both
    assert [p.id for p in edge.scroll(COLLECTION)] == [p.id for p in server.scroll(COLLECTION)]


def test_retrieve_keeps_the_asked_order_on_both(both: tuple[VectorStore, VectorStore], corpus: Corpus) -> None:
    a, b, c = corpus.points[30].id, corpus.points[2].id, corpus.points[9].id
    wanted = [a, 5, b, a, c, MAX_POINT_ID - 1, b]  # repeats, and ids that were never stored
    edge, server = both
    mine, theirs = (store.retrieve(COLLECTION, wanted, with_vectors=True) for store in both)
    assert [p.id for p in mine] == [p.id for p in theirs] == [a, b, c]
    for x, y in zip(mine, theirs, strict=True):
        assert x.payload == y.payload
        assert x.sparse.indices == y.sparse.indices
        assert np.allclose(x.dense, y.dense, atol=1e-6)
    for store in both:
        for bad_id in (-1, MAX_POINT_ID):
            with pytest.raises(StoreError, match="out of range"):
                store.retrieve(COLLECTION, [a, bad_id])
        with pytest.raises(StoreError, match="out of range"):
            store.upsert(COLLECTION, [_point(MAX_POINT_ID, corpus.points[0].dense)])
        store.upsert(COLLECTION, [_point(MAX_POINT_ID - 1, corpus.points[0].dense)])  # the largest id there is
    assert edge.retrieve(COLLECTION, wanted)[-1].id == server.retrieve(COLLECTION, wanted)[-1].id == MAX_POINT_ID - 1
    assert [p.id for p in edge.scroll(COLLECTION)][-1] == [p.id for p in server.scroll(COLLECTION)][-1]


# -- a larger corpus: 5,000 random points, several scroll pages ------------------------------------------------

LARGE = _name("large")
LARGE_SIZE = 5_000
LARGE_DIM = 48
LARGE_FILTERS: list[MatchFilter | None] = [
    None,
    MatchFilter({"kb_id": "kb-3"}),
    MatchFilter({"kind": ["fact", "claim"], "batch": [0, 2]}),
]


@dataclass(frozen=True)
class Large:
    """The large corpus, loaded once into both backends."""

    edge: VectorStore
    server: VectorStore
    points: list[PointRecord]
    queries: list[tuple[Vector, SparseVector]]


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Large]:
    """Random dense vectors and random sparse weights, seeded: no two points tie on these queries, so both
    backends must return the very same ids in the very same order. Ids are spread over 40 bits and written
    in batches of 1,000 in no id order."""
    rng = np.random.default_rng(19)
    ids = rng.permutation(np.unique(rng.integers(0, 2**40, 2 * LARGE_SIZE))[:LARGE_SIZE])
    vocabulary = np.unique(rng.integers(0, 2**32, 1_200))[:600]
    kinds = ["fact", "message", "avoid", "claim"]

    def sparse(terms: int, weights: bool) -> SparseVector:
        indices = sorted(int(i) for i in rng.choice(vocabulary, terms, replace=False))
        values = rng.uniform(0.05, 2.0, terms) if weights else np.ones(terms)
        return SparseVector(indices, [float(v) for v in values])

    points = [
        PointRecord(
            int(point_id),
            rng.standard_normal(LARGE_DIM).astype(np.float32),
            sparse(int(rng.integers(2, 11)), weights=True),
            {"kb_id": f"kb-{i % 7}", "kind": kinds[i % 4], "batch": i // 1_000, "n": i},
        )
        for i, point_id in enumerate(ids)
    ]
    queries = [
        (rng.standard_normal(LARGE_DIM).astype(np.float32), sparse(int(rng.integers(1, 4)), weights=False))
        for _ in range(24)
    ]
    path = tmp_path_factory.mktemp("large")
    edge, server = _open("edge", path), _open("server", path)
    for store in (edge, server):
        store.create_collection(LARGE, LARGE_DIM, ("kb_id", "kind"))
        for start in range(0, LARGE_SIZE, 1_000):
            store.upsert(LARGE, points[start : start + 1_000])
    yield Large(edge, server, points, queries)
    edge.close()
    server.close()
    _drop_server_collections()


@pytest.mark.parametrize("flt", LARGE_FILTERS, ids=["none", "kb", "kinds-and-batches"])
@pytest.mark.parametrize("mode", ["dense", "sparse", "hybrid"])
def test_large_corpus_queries_agree(large: Large, mode: str, flt: MatchFilter | None) -> None:
    # Filtered queries scan the whole corpus in Python on the stand-in server: fewer of them.
    queries = large.queries if flt is None else large.queries[:4]
    requests = [
        QueryRequest(
            dense=dense if mode != "sparse" else None,
            sparse=sparse if mode != "dense" else None,
            filter=flt,
            # A fused list is cut where RRF scores often tie; asking for every candidate keeps the cut out.
            limit=2 * 20 if mode == "hybrid" else 10,
            prefetch_limit=20,
        )
        for dense, sparse in queries
    ]
    edge_hits = large.edge.query(LARGE, requests)
    server_hits = large.server.query(LARGE, requests)
    for mine, theirs in zip(edge_hits, server_hits, strict=True):
        assert [h.id for h in mine] == [h.id for h in theirs]
        assert [h.score for h in mine] == pytest.approx([h.score for h in theirs], rel=1e-4, abs=1e-6)
        assert [h.payload for h in mine] == [h.payload for h in theirs]
    if mode == "dense":
        assert all(len(hits) == 10 for hits in edge_hits)
    assert sum(len(hits) for hits in edge_hits) > 0


def test_large_corpus_counts_retrieves_and_scrolls_agree(large: Large, monkeypatch: pytest.MonkeyPatch) -> None:
    edge, server = large.edge, large.server
    by_id = {p.id: p for p in large.points}
    for flt in [*LARGE_FILTERS, MatchFilter({"n": [7, 77, 777, 7_777]})]:
        assert edge.count(LARGE, flt) == server.count(LARGE, flt)
    assert edge.count(LARGE) == LARGE_SIZE

    pages: dict[str, int] = {}
    for label, store in (("edge", edge), ("server", server)):
        engine_scroll = store._engine_scroll

        def counted(*args: Any, label: str = label, engine_scroll: Any = engine_scroll) -> Any:
            pages[label] = pages.get(label, 0) + 1
            return engine_scroll(*args)

        monkeypatch.setattr(store, "_engine_scroll", counted)
    mine, theirs = edge.scroll(LARGE), server.scroll(LARGE)
    assert pages == {"edge": -(-LARGE_SIZE // SCROLL_PAGE), "server": -(-LARGE_SIZE // SCROLL_PAGE)}
    assert [p.id for p in mine] == [p.id for p in theirs] == sorted(by_id)
    assert [p.payload for p in mine] == [p.payload for p in theirs]
    kb = MatchFilter({"kb_id": "kb-3"})
    mine, theirs = edge.scroll(LARGE, kb, with_vectors=True), server.scroll(LARGE, kb, with_vectors=True)
    assert (
        [p.id for p in mine]
        == [p.id for p in theirs]
        == sorted(i for i, p in by_id.items() if p.payload["kb_id"] == "kb-3")
    )
    for x, y in zip(mine, theirs, strict=True):
        assert x.sparse.indices == y.sparse.indices == by_id[x.id].sparse.indices
        assert np.allclose(x.dense, y.dense, atol=1e-6)

    rng = np.random.default_rng(5)
    wanted = [int(i) for i in rng.choice(sorted(by_id), 1_500)] + [3, 2**41]  # repeats, and two missing ids
    rng.shuffle(wanted)
    mine_ids = [p.id for p in edge.retrieve(LARGE, wanted)]
    assert mine_ids == [p.id for p in server.retrieve(LARGE, wanted)]
    assert mine_ids == [i for i in dict.fromkeys(wanted) if i in by_id]


# -- embedded store only ---------------------------------------------------------------------------------


def test_edge_store_persists_across_reopen(tmp_path: Path, corpus: Corpus) -> None:
    store = _loaded("edge", tmp_path, corpus)
    store.set_payload(COLLECTION, [corpus.points[0].id], {"note": "kept"})
    request = QueryRequest(dense=corpus.query_dense[4], sparse=corpus.query_sparse[4], limit=5)
    before = _ranking(store.query(COLLECTION, [request])[0])
    store.close()

    reopened = EdgeStore(tmp_path / "edge")
    try:
        assert reopened.collection_exists(COLLECTION)
        assert reopened.dense_size(COLLECTION) == corpus.dense_size
        assert reopened.count(COLLECTION) == len(ITEMS)
        assert reopened.retrieve(COLLECTION, [corpus.points[0].id])[0].payload["note"] == "kept"
        assert _ranking(reopened.query(COLLECTION, [request])[0]) == before
        assert reopened.count(COLLECTION, MatchFilter({"kind": "message"})) == 6
    finally:
        reopened.close()


def test_second_edge_store_on_an_open_path_is_refused(tmp_path: Path, corpus: Corpus) -> None:
    first = _loaded("edge", tmp_path, corpus)
    with pytest.raises(StoreError, match="in use by another process"):
        EdgeStore(tmp_path / "edge")
    child = subprocess.run(
        [sys.executable, "-c", f"from knowledge_base.store import EdgeStore; EdgeStore({str(tmp_path / 'edge')!r})"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode != 0
    assert "in use by another process" in child.stderr
    first.close()
    second = EdgeStore(tmp_path / "edge")  # free again once the owner closed it
    assert second.count(COLLECTION) == len(ITEMS)
    second.close()


def test_edge_upsert_is_durable_without_close(tmp_path: Path) -> None:
    # A process that upserts and then dies without close() must not lose the points.
    script = textwrap.dedent(
        f"""
        import os
        import numpy as np
        from knowledge_base.store import EdgeStore, PointRecord, SparseVector
        store = EdgeStore({str(tmp_path / "edge")!r})
        store.create_collection("c", 4, ("kind",))
        store.upsert("c", [PointRecord(i, np.full(4, i + 1, np.float32), SparseVector([i], [1.0]), {{"kind": "k"}})
                          for i in range(5)])
        store.set_payload("c", [2], {{"kind": "changed"}})
        os._exit(0)
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True)
    store = EdgeStore(tmp_path / "edge")
    try:
        assert store.dense_size("c") == 4
        assert store.count("c") == 5
        assert store.count("c", MatchFilter({"kind": "changed"})) == 1
    finally:
        store.close()
