"""Measure Chinese tokenizers for the lexical vector on the labelled dev sets.

For every (post, labelled item) pair of ``<dev>/*/cases.jsonl`` (facts a post distorts, key messages it
carries, topics it should avoid) it ranks all kb items for the post and records the labelled item's
rank, under lexical-only scoring and under hybrid (dense multilingual USE + lexical, RRF) scoring, both
run by the real embedded store. Prints hit@1, hit@3 and MRR per data set and tokenizer.

Usage: python bench/lexical_tokenizer.py [--dev /work/shared/eval/dev] [--modes rjieba bigram ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge_base.lexical import CHINESE_MODES, ChineseMode, LexicalEncoder
from knowledge_base.store import EdgeStore, PointRecord, QueryRequest, SparseVector
from knowledge_base.store.base import Vector

KB_SECTIONS = ("facts", "key_messages", "avoid_topics", "prohibited_claims")


@dataclass
class DevSet:
    """One labelled dev set: kb item ids and texts, post texts, and (post index, item id) pairs."""

    name: str
    item_ids: list[str]
    item_texts: list[str]
    posts: list[str]
    pairs: list[tuple[int, str]]


def load_dev(directory: Path) -> DevSet:
    """Read ``kb.json`` and ``cases.jsonl`` of one dev set."""
    kb = json.loads((directory / "kb.json").read_text(encoding="utf-8"))
    items = [(item["id"], item["text"]) for section in KB_SECTIONS for item in kb.get(section, [])]
    posts: list[str] = []
    pairs: list[tuple[int, str]] = []
    for line in (directory / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        labels = [d["fact"] for d in case.get("distortions", [])] + case.get("messages", []) + case.get("avoid", [])
        for label in dict.fromkeys(labels):
            pairs.append((len(posts), label))
        posts.append(case["text"])
    return DevSet(directory.name, [i for i, _ in items], [t for _, t in items], posts, pairs)


def scores(ranks: list[float]) -> tuple[float, float, float]:
    """hit@1, hit@3 and MRR of 1-based ranks (inf = not retrieved; a tie shares its mean rank)."""
    n = len(ranks)
    return (
        sum(r < 1.5 for r in ranks) / n,
        sum(r < 3.5 for r in ranks) / n,
        sum(1.0 / r for r in ranks) / n,
    )


def ranks_for(
    store: EdgeStore,
    collection: str,
    dev: DevSet,
    dense: Vector | None,
    sparse: list[SparseVector] | None,
) -> list[float]:
    """The rank of each labelled item of ``dev`` among all kb items, for the given query vectors."""
    limit = len(dev.item_ids)
    requests = [
        QueryRequest(
            dense=None if dense is None else dense[i],
            sparse=None if sparse is None else sparse[i],
            limit=limit,
            prefetch_limit=limit,
        )
        for i in range(len(dev.posts))
    ]
    answers = store.query(collection, requests)
    out: list[float] = []
    for post, label in dev.pairs:
        score_of = {hit.payload["item"]: hit.score for hit in answers[post]}
        if label not in score_of:
            out.append(float("inf"))
            continue
        # Ties share the mean of their ranks, so the engine's tie order does not decide the result.
        own = score_of[label]
        above = sum(score > own for score in score_of.values())
        tied = sum(score == own for score in score_of.values()) - 1
        out.append(1.0 + above + tied / 2.0)
    return out


def main() -> None:
    """Run the measurement and print one table row per data set, tokenizer and scoring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", type=Path, default=Path("/work/shared/eval/dev"))
    parser.add_argument("--modes", nargs="*", default=list(CHINESE_MODES), choices=CHINESE_MODES)
    args = parser.parse_args()
    modes: list[ChineseMode] = args.modes

    from knowledge_base.preload import load_use

    model = load_use(threads=2)
    devs = [load_dev(d) for d in sorted(args.dev.iterdir()) if (d / "cases.jsonl").is_file()]
    print(f"{'set':<15}{'pairs':>6}  {'tokenizer':<16}{'scoring':<9}{'hit@1':>7}{'hit@3':>7}{'MRR':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        store = EdgeStore(Path(tmp))
        try:
            for dev in devs:
                item_vectors = np.asarray(model.encode(dev.item_texts), dtype=np.float32)
                post_vectors = np.asarray(model.encode(dev.posts), dtype=np.float32)
                row = f"{dev.name:<15}{len(dev.pairs):>6}  {'-':<16}{'dense':<9}"
                dense_collection = _load(store, dev, item_vectors, None)
                dense_only = scores(ranks_for(store, dense_collection, dev, post_vectors, None))
                print(row + "".join(f"{v:>7.3f}" for v in dense_only))
                for mode in modes:
                    encoder = LexicalEncoder(mode)
                    collection = _load(store, dev, item_vectors, encoder)
                    queries = encoder.encode_queries(dev.posts)
                    for label, dense in (("lexical", None), ("hybrid", post_vectors)):
                        measured = scores(ranks_for(store, collection, dev, dense, queries))
                        row = f"{dev.name:<15}{len(dev.pairs):>6}  {mode:<16}{label:<9}"
                        print(row + "".join(f"{v:>7.3f}" for v in measured))
        finally:
            store.close()

    # Speed of the encoder on 10k sentences (the kb and post texts, repeated).
    texts = [t for dev in devs for t in dev.item_texts + dev.posts]
    texts = (texts * (10_000 // len(texts) + 1))[:10_000]
    for mode in modes:
        encoder = LexicalEncoder(mode)
        encoder.encode_documents(texts[:10])  # loads the segmenter's dictionary
        start = time.perf_counter()
        encoder.encode_documents(texts)
        print(f"{mode:<16} 10k documents in {time.perf_counter() - start:.2f} s")


def _load(store: EdgeStore, dev: DevSet, item_vectors: Vector, encoder: LexicalEncoder | None) -> str:
    """(Re)create a collection holding ``dev``'s kb items encoded with ``encoder``."""
    collection = f"{dev.name}-{encoder.chinese if encoder else 'dense'}".replace("+", "_")
    if store.collection_exists(collection):
        store.delete_collection(collection)
    store.create_collection(collection, item_vectors.shape[1])
    sparse = encoder.encode_documents(dev.item_texts) if encoder else [SparseVector([], [])] * len(dev.item_texts)
    store.upsert(
        collection,
        [PointRecord(i, item_vectors[i], sparse[i], {"item": item_id}) for i, item_id in enumerate(dev.item_ids)],
    )
    return collection


if __name__ == "__main__":
    main()
