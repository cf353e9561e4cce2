"""Fitting the NLI head (``service.check.nli``) on English premise/hypothesis pairs, reproducibly.

    python -m service.check.nli_training /work/shared/data/nli/snli-family.jsonl \\
        --out service/check/data/nli_head.npz --cache /tmp/nli-vectors.npz

The pairs (JSON lines with ``premise``, ``hypothesis``, ``label`` and optionally ``source``) are sorted and
split by a hash of the premise, so that no premise is on two sides: 15% held out (reported once, never
used to fit or choose), 10% validation (early stopping) and 75% training, to which a few training premises
are added paired with themselves as entailments (see ``identity_pairs``). Every text is encoded once by
the bundled model (the vectors can be cached in a file outside the repository). The head is a multilayer
perceptron fitted by scikit-learn with a fixed seed; the epoch with the best validation accuracy is kept,
and its weights are saved as plain arrays. Running the command twice gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.check.nli import LABELS, NliHead, pair_features

SEED = 20261201
HELD_OUT = 15  # percent of premise-hash buckets held out
VALIDATION = 10  # percent used for early stopping
HIDDEN = 128
ALPHA = 3.0  # L2 penalty (scikit-learn's alpha: per batch, divided by the batch size)
EPOCHS = 40
PATIENCE = 6
IDENTITY = 10  # percent of training premises also given as (premise, premise, entailment)
BATCH = 128
LEARNING_RATE = 1e-3


@dataclass(frozen=True)
class Pair:
    """One labelled premise/hypothesis pair."""

    premise: str
    hypothesis: str
    label: int  # index in LABELS
    source: str = ""


def read_pairs(path: Path, limit: int | None = None) -> list[Pair]:
    """The pairs of a JSON-lines file, sorted (so the order of the file does not matter), duplicates dropped.

    ``limit`` keeps the first ``limit`` pairs of the sorted list (for quick runs)."""
    pairs: set[Pair] = set()
    with path.open(encoding="utf-8") as file:
        for line in file:
            if not line.strip():
                continue
            row = json.loads(line)
            pairs.add(Pair(row["premise"], row["hypothesis"], LABELS.index(row["label"]), row.get("source", "")))
    ordered = sorted(pairs, key=lambda p: (p.premise, p.hypothesis, p.label, p.source))
    return ordered[:limit] if limit is not None else ordered


def identity_pairs(pairs: Sequence[Pair], percent: int = IDENTITY) -> list[Pair]:
    """``(premise, premise, entailment)`` for ``percent`` % of the distinct premises of ``pairs`` (chosen by
    hash). The English pairs never show a sentence with itself; without these, the head reads an identical
    Chinese sentence as a contradiction (on the test's pairs 4 in 5 times)."""
    premises = sorted({p.premise for p in pairs})
    chosen = [p for p in premises if bucket(p + "#identity") < percent]
    return [Pair(p, p, LABELS.index("entailment"), "identity") for p in chosen]


def bucket(premise: str) -> int:
    """0..99 from the SHA-256 of the premise: the same premise always lands in the same split."""
    return int.from_bytes(hashlib.sha256(premise.encode("utf-8")).digest()[:8], "big") % 100


def split(pairs: Sequence[Pair]) -> tuple[list[Pair], list[Pair], list[Pair]]:
    """(training, validation, held-out) by premise hash."""
    train: list[Pair] = []
    valid: list[Pair] = []
    test: list[Pair] = []
    for pair in pairs:
        b = bucket(pair.premise)
        (test if b < HELD_OUT else valid if b < HELD_OUT + VALIDATION else train).append(pair)
    return train, valid, test


class VectorCache:
    """Sentence vectors by text, optionally read from and written to an ``.npz`` outside the repository."""

    def __init__(self, embedder: Any, path: Path | None = None) -> None:
        self.embedder = embedder
        self.path = path
        self.vectors: dict[str, npt.NDArray[np.float32]] = {}
        if path is not None and path.exists():
            with np.load(path, allow_pickle=False) as data:
                if str(data["model_id"]) == embedder.model_id:
                    self.vectors = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))

    def encode(self, texts: Sequence[str], batch: int = 2048) -> npt.NDArray[np.float32]:
        """Float32 rows for ``texts``, encoding (and caching) only those not seen before."""
        missing = sorted(set(texts) - self.vectors.keys())
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            self.vectors.update(zip(chunk, self.embedder.encode(chunk), strict=True))
            print(f"encoded {min(start + batch, len(missing))}/{len(missing)} texts", file=sys.stderr, flush=True)
        if missing and self.path is not None:
            ordered = sorted(self.vectors)
            np.savez(
                self.path,
                texts=np.array(ordered),
                vectors=np.stack([self.vectors[t] for t in ordered]),
                model_id=np.array(self.embedder.model_id),
            )
        dimension = int(self.embedder.dimension)
        if not texts:
            return np.zeros((0, dimension), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32, copy=False)


def design(pairs: Sequence[Pair], cache: VectorCache) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Features ``[u, v, |u-v|, u*v]`` and label indices of ``pairs``."""
    u = cache.encode([p.premise for p in pairs])
    v = cache.encode([p.hypothesis for p in pairs])
    return pair_features(u, v), np.array([p.label for p in pairs], dtype=np.int64)


def fit_head(
    x_train: npt.NDArray[np.float32],
    y_train: npt.NDArray[np.int64],
    x_valid: npt.NDArray[np.float32],
    y_valid: npt.NDArray[np.int64],
    hidden: int = HIDDEN,
    alpha: float = ALPHA,
    epochs: int = EPOCHS,
    patience: int = PATIENCE,
    seed: int = SEED,
) -> tuple[NliHead, list[float]]:
    """An MLP with one ReLU hidden layer of ``hidden`` units (``hidden=0``: multinomial logistic regression)
    fitted by Adam with a fixed seed, one epoch at a time; the epoch with the best validation accuracy is
    kept. Returns the head and the validation accuracy of each epoch.

    BLAS runs on one thread while fitting: sums split across threads round differently, and a different
    rounding in epoch 1 becomes a different head by epoch 10."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=1):
        return _fit_head(x_train, y_train, x_valid, y_valid, hidden, alpha, epochs, patience, seed)


def _fit_head(
    x_train: npt.NDArray[np.float32],
    y_train: npt.NDArray[np.int64],
    x_valid: npt.NDArray[np.float32],
    y_valid: npt.NDArray[np.int64],
    hidden: int,
    alpha: float,
    epochs: int,
    patience: int,
    seed: int,
) -> tuple[NliHead, list[float]]:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.neural_network import MLPClassifier  # type: ignore[import-untyped]

    mean = x_train.mean(axis=0)
    scale = x_train.std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0).astype(np.float32)
    xs = ((x_train - mean) / scale).astype(np.float32)
    xv = ((x_valid - mean) / scale).astype(np.float32)
    classes = np.arange(len(LABELS))
    if hidden == 0:
        # C is the inverse of the L2 penalty per sample, as the MLP's alpha is per batch-averaged loss.
        lr = LogisticRegression(C=1.0 / (alpha * len(xs)), max_iter=500, random_state=seed)
        lr.fit(xs, y_train)
        head = NliHead(mean, scale, [lr.coef_.T], [lr.intercept_], {"kind": "logistic", "alpha": alpha})
        return head, [float(np.mean(lr.predict(xv) == y_valid)) if len(y_valid) else 0.0]
    mlp = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        alpha=alpha,
        batch_size=min(BATCH, len(xs)),
        learning_rate_init=LEARNING_RATE,
        random_state=seed,
        shuffle=True,
    )
    if not len(y_valid):  # a tiny run without validation pairs keeps the last epoch
        xv, y_valid = xs, y_train
    history: list[float] = []
    best: tuple[float, list[npt.NDArray[Any]], list[npt.NDArray[Any]]] | None = None
    for _ in range(epochs):
        mlp.partial_fit(xs, y_train, classes=classes)
        accuracy = float(np.mean(mlp.predict(xv) == y_valid))
        history.append(accuracy)
        if best is None or accuracy > best[0]:
            best = (accuracy, [w.copy() for w in mlp.coefs_], [b.copy() for b in mlp.intercepts_])
        elif len(history) - 1 - int(np.argmax(history)) >= patience:
            break
    assert best is not None
    meta = {"kind": "mlp", "hidden": hidden, "alpha": alpha, "epochs": int(np.argmax(history)) + 1, "seed": seed}
    return NliHead(mean, scale, best[1], best[2], meta), history


def report(name: str, y: npt.NDArray[np.int64], predicted: npt.NDArray[np.int64]) -> dict[str, float]:
    """Print and return three-way accuracy and per-class precision and recall."""
    result = {"accuracy": float(np.mean(y == predicted)) if len(y) else 0.0}
    print(f"{name}: {len(y)} pairs, three-way accuracy {result['accuracy']:.3f}")
    for index, label in enumerate(LABELS):
        tp = int(np.sum((predicted == index) & (y == index)))
        precision = tp / max(1, int(np.sum(predicted == index)))
        recall = tp / max(1, int(np.sum(y == index)))
        result[f"{label}_precision"], result[f"{label}_recall"] = precision, recall
        print(f"  {label:<13} precision {precision:.3f}  recall {recall:.3f}  (gold {int(np.sum(y == index))})")
    return result


def train(
    data: Path,
    embedder: Any,
    cache_path: Path | None = None,
    hidden: int = HIDDEN,
    alpha: float = ALPHA,
    limit: int | None = None,
    epochs: int = EPOCHS,
    identity: int = IDENTITY,
) -> tuple[NliHead, dict[str, Any]]:
    """Read, split, encode, fit; report the validation and held-out figures. Returns the head and them."""
    pairs = read_pairs(data, limit)
    train_pairs, valid_pairs, test_pairs = split(pairs)
    train_pairs += identity_pairs(train_pairs, identity)
    print(
        f"{len(pairs)} pairs: {len(train_pairs)} training (with {identity}% identity pairs), "
        f"{len(valid_pairs)} validation, {len(test_pairs)} held out"
    )
    cache = VectorCache(embedder, cache_path)
    cache.encode(sorted({t for p in pairs for t in (p.premise, p.hypothesis)}))
    x_train, y_train = design(train_pairs, cache)
    x_valid, y_valid = design(valid_pairs, cache)
    x_test, y_test = design(test_pairs, cache)
    started = time.perf_counter()
    head, history = fit_head(x_train, y_train, x_valid, y_valid, hidden, alpha, epochs)
    head = head.half()  # measured as it is saved
    print(f"fitted {head.meta} in {time.perf_counter() - started:.0f} s; validation by epoch {history}")
    d = head.dimension
    figures: dict[str, Any] = {}
    for name, x, y, subset in (
        ("validation", x_valid, y_valid, valid_pairs),
        ("held out", x_test, y_test, test_pairs),
    ):
        predicted = head.scores(x[:, :d], x[:, d : 2 * d]).argmax(axis=1)
        figures[name] = report(name, y, predicted)
        by_source = Counter(p.source for p in subset)
        for source in sorted(by_source):
            mask = np.array([p.source == source for p in subset])
            print(f"  {source}: accuracy {float(np.mean(predicted[mask] == y[mask])):.3f} on {int(mask.sum())}")
    head.meta.update(
        {
            "pairs": len(pairs),
            "identity_percent": identity,
            "held_out_accuracy": round(figures["held out"]["accuracy"], 4),
            "model": embedder.model_id,
        }
    )
    return head, figures


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fit the head on a JSON-lines file of pairs and write it."""
    parser = argparse.ArgumentParser(prog="python -m service.check.nli_training", description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path, help="JSON lines: premise, hypothesis, label[, source]")
    parser.add_argument("--out", type=Path, required=True, help="where to write the head (.npz)")
    parser.add_argument(
        "--cache", type=Path, default=None, help="an .npz of sentence vectors to reuse (outside the repo)"
    )
    parser.add_argument("--hidden", type=int, default=HIDDEN, help="hidden units (0: logistic regression)")
    parser.add_argument("--alpha", type=float, default=ALPHA, help="L2 penalty")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="at most this many epochs")
    parser.add_argument("--identity", type=int, default=IDENTITY, help="percent of premises paired with themselves")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N sorted pairs")
    args = parser.parse_args(argv)

    from service.resources import load_embedder
    from service.settings import Settings

    embedder = load_embedder(Settings())
    head, _ = train(args.data, embedder, args.cache, args.hidden, args.alpha, args.limit, args.epochs, args.identity)
    head.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
