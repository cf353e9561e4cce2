"""The NLI head: the shipped file, its probabilities, deterministic training, and zero-shot Chinese sanity.

The Chinese and mixed Chinese/English pairs below were written for this test (consumer-product claims);
the head was fitted on English pairs only, so only robust, coarse behaviour is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embedding import SentenceEmbedder
from service.check.nli import (
    CONTRADICTION,
    DEFAULT_HEAD_PATH,
    ENTAILMENT,
    LABELS,
    NliHead,
    NliHeadError,
    default_nli_head,
    pair_features,
)
from service.check.nli_training import Pair, bucket, fit_head, read_pairs, split, train

# (premise, a paraphrase or consequence of it, a contradiction of it)
TRIPLES = [
    ("这款电饭煲有预约功能", "这款电饭煲可以提前设定煮饭时间", "这款电饭煲不能预约"),
    ("这款耳机续航8小时", "这款耳机的电池能用大半天", "这款耳机的电池只能撑一个小时"),
    ("这款手机支持无线充电", "这款手机可以无线充电", "这款手机不支持无线充电"),
    ("这款洗碗机需要专用洗涤剂", "这款洗碗机要用专门的洗碗剂", "这款洗碗机用普通洗洁精就行"),
    ("这个保温杯能保温12小时", "This thermos keeps drinks hot for half a day", "这个保温杯根本不保温"),
    ("扫地机器人可以自动回充", "The robot vacuum returns to its dock by itself", "扫地机器人没电了必须手动放回底座"),
    ("这款面霜不含酒精", "这款面霜是无酒精配方", "这款面霜含有大量酒精"),
    ("这款运动鞋是防水的", "这双鞋下雨天穿也不会湿", "这双鞋一碰水就湿透"),
    ("这台笔记本电脑只有1.2公斤重", "这台笔记本很轻便", "这台笔记本非常笨重"),
    ("The blender comes with a two-year warranty", "这款搅拌机保修两年", "这款搅拌机没有任何保修"),
    ("这款婴儿奶瓶不含双酚A", "This baby bottle is BPA-free", "这款奶瓶含有双酚A"),
    ("这款电动牙刷有三种清洁模式", "这款牙刷提供多种刷牙模式", "这款牙刷只有一种模式"),
    ("这台冰箱是一级能效", "这台冰箱很省电", "这台冰箱非常耗电"),
    ("这款咖啡机可以做拿铁", "用这台咖啡机能做拿铁咖啡", "这台咖啡机做不了拿铁"),
    ("这款吹风机有负离子护发功能", "这款吹风机带负离子", "这款吹风机没有负离子功能"),
    ("这款智能手表支持心率监测", "The smartwatch can track your heart rate", "这款手表无法测心率"),
    ("这款洗发水适合油性头发", "油性发质的人可以用这款洗发水", "这款洗发水不适合油性头发"),
    ("这款电视是4K分辨率", "这台电视的画面是4K超高清", "这台电视只有720p"),
    ("这款行李箱可以登机", "这个箱子能带上飞机", "这个箱子太大，不能登机"),
    (
        "This air purifier is quiet enough for a bedroom",
        "这台空气净化器很安静，放卧室没问题",
        "这台净化器噪音很大，吵得睡不着",
    ),
]

# (premise, a hypothesis neither implied nor contradicted by it)
NEUTRAL = [
    ("这款电饭煲有预约功能", "这款电饭煲是红色的"),
    ("这款手机支持无线充电", "这款手机是今年最畅销的"),
    ("这款面霜不含酒精", "这款面霜适合冬天用"),
    ("这台冰箱是一级能效", "这台冰箱是在德国设计的"),
    ("这款智能手表支持心率监测", "The smartwatch is sold in three colours"),
]


def _scores(embedder: SentenceEmbedder, pairs: list[tuple[str, str]]) -> np.ndarray:
    premises = embedder.encode([p for p, _ in pairs])
    hypotheses = embedder.encode([h for _, h in pairs])
    return default_nli_head().scores(premises, hypotheses)


def test_the_shipped_head_loads_and_is_small() -> None:
    assert DEFAULT_HEAD_PATH.stat().st_size < 2_000_000
    head = default_nli_head()
    assert head is default_nli_head()  # loaded once
    assert head.dimension == 512
    assert head.meta["held_out_accuracy"] > 0.55


def test_probabilities_have_the_documented_shape_and_sum_to_one() -> None:
    rng = np.random.default_rng(0)
    u = rng.normal(size=(7, 512)).astype(np.float32)
    v = rng.normal(size=(7, 512)).astype(np.float32)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    scores = default_nli_head().scores(u, v)
    assert scores.shape == (7, len(LABELS))
    assert np.all(scores >= 0)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, atol=1e-9)
    assert default_nli_head().scores(u[0], v[0]).shape == (1, 3)
    assert default_nli_head().scores(u[:0], v[:0]).shape == (0, 3)
    with pytest.raises(NliHeadError):
        default_nli_head().scores(u, v[:3])
    with pytest.raises(NliHeadError):
        default_nli_head().scores(u[:, :256], v[:, :256])


def test_a_saved_head_scores_as_the_original(tmp_path: Path) -> None:
    head = default_nli_head()
    head.save(tmp_path / "head.npz")
    again = NliHead.load(tmp_path / "head.npz")
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=(2, 5, 512)).astype(np.float32)
    np.testing.assert_array_equal(head.scores(u, v), again.scores(u, v))
    with pytest.raises(NliHeadError):
        NliHead.load(tmp_path / "missing.npz")


def test_identical_sentences_are_mostly_entailment(embedder: SentenceEmbedder) -> None:
    texts = [premise for premise, _, _ in TRIPLES]
    scores = _scores(embedder, list(zip(texts, texts, strict=True)))
    assert np.mean(scores.argmax(axis=1) == ENTAILMENT) >= 0.6  # 0.8 measured


def test_a_contradiction_looks_more_contradictory_than_a_paraphrase(embedder: SentenceEmbedder) -> None:
    paraphrases = _scores(embedder, [(p, e) for p, e, _ in TRIPLES])
    contradictions = _scores(embedder, [(p, c) for p, _, c in TRIPLES])
    # Zero-shot on Chinese: most, not all, of the pairs (0.8 and 0.7 measured), and on average.
    assert np.mean(contradictions[:, CONTRADICTION] > paraphrases[:, CONTRADICTION]) >= 0.65
    assert np.mean(contradictions[:, ENTAILMENT] < paraphrases[:, ENTAILMENT]) >= 0.55
    assert contradictions[:, CONTRADICTION].mean() > paraphrases[:, CONTRADICTION].mean() + 0.1
    assert contradictions[:, ENTAILMENT].mean() < paraphrases[:, ENTAILMENT].mean()


def test_the_split_keeps_each_premise_on_one_side() -> None:
    pairs = [Pair(f"premise {i % 50}", f"hypothesis {i}", i % 3) for i in range(600)]
    train_pairs, valid_pairs, test_pairs = split(pairs)
    sides = [{p.premise for p in side} for side in (train_pairs, valid_pairs, test_pairs)]
    assert not (sides[0] & sides[1]) and not (sides[0] & sides[2]) and not (sides[1] & sides[2])
    assert all(side for side in sides)
    assert bucket("premise 1") == bucket("premise 1")


def test_fitting_is_deterministic() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 64)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1).astype(np.int64)
    first, history = fit_head(x[:200], y[:200], x[200:], y[200:], hidden=8, epochs=4)
    second, _ = fit_head(x[:200], y[:200], x[200:], y[200:], hidden=8, epochs=4)
    assert len(history) == 4
    for a, b in zip(first.weights + first.biases, second.weights + second.biases, strict=True):
        np.testing.assert_array_equal(a, b)


def test_training_on_a_tiny_file_is_deterministic(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    rows = []
    for premise, entailed, contradicted in TRIPLES:
        rows.append({"premise": premise, "hypothesis": entailed, "label": "entailment"})
        rows.append({"premise": premise, "hypothesis": contradicted, "label": "contradiction"})
    rows += [{"premise": p, "hypothesis": h, "label": "neutral"} for p, h in NEUTRAL]
    data = tmp_path / "pairs.jsonl"
    # Written in reverse: the order of the file does not matter.
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in reversed(rows)), encoding="utf-8")
    assert [p.premise for p in read_pairs(data)] == sorted(p.premise for p in read_pairs(data))
    first, _ = train(data, embedder, hidden=4, epochs=3)
    second, _ = train(data, embedder, tmp_path / "cache.npz", hidden=4, epochs=3)
    for a, b in zip(first.weights + first.biases, second.weights + second.biases, strict=True):
        np.testing.assert_array_equal(a, b)
    assert pair_features(np.ones((2, 4)), np.zeros((2, 4))).shape == (2, 16)
