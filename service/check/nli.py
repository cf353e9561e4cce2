"""A small natural-language-inference head on the frozen sentence vectors: evidence, not a verdict.

The head reads the two unit vectors of a premise (``u``, e.g. a knowledge-base fact) and a hypothesis
(``v``, e.g. a clause of a post) as the features ``[u, v, |u - v|, u * v]`` (2,048 values for 512-d
vectors), standardises them and passes them through a few dense layers (ReLU between them, softmax at
the end) to give P(entailment), P(neutral), P(contradiction). It was fitted on English NLI pairs by
``python -m service.check.nli_training`` and is shipped as plain arrays in ``data/nli_head.npz``; the
runtime is numpy only. Zero-shot on Chinese it is a weak signal, to be one feature of a fitted decision.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

LABELS = ("entailment", "neutral", "contradiction")
ENTAILMENT, NEUTRAL, CONTRADICTION = 0, 1, 2
DEFAULT_HEAD_PATH = Path(__file__).parent / "data" / "nli_head.npz"

FloatArray = npt.NDArray[np.float32]


class NliHeadError(ValueError):
    """The head file is missing, malformed, or does not fit the vectors it is given."""


def _pair(premises: npt.ArrayLike, hypotheses: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The two float32 ``(n, dimension)`` matrices (one vector each is read as ``n = 1``)."""
    u = np.asarray(premises, dtype=np.float32)
    v = np.asarray(hypotheses, dtype=np.float32)
    if u.ndim == 1:
        u = u[None, :]
    if v.ndim == 1:
        v = v[None, :]
    if u.ndim != 2 or u.shape != v.shape:
        raise NliHeadError(f"premises {u.shape} and hypotheses {v.shape} must both be (n, dimension)")
    return u, v


def pair_features(premises: npt.ArrayLike, hypotheses: npt.ArrayLike) -> FloatArray:
    """``[u, v, |u - v|, u * v]`` for each pair: float32, shape ``(n, 4 * dimension)``.

    ``premises`` and ``hypotheses`` are ``(n, dimension)`` arrays (or one vector each, read as ``n = 1``)."""
    u, v = _pair(premises, hypotheses)
    return np.concatenate([u, v, np.abs(u - v), u * v], axis=1)


def softmax(logits: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
    """Row-wise softmax in float64 (each row sums to 1)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


class NliHead:
    """A fitted NLI head: standardisation, then dense layers with ReLU between them, then softmax.

    ``weights[i]`` has shape ``(inputs, outputs)``; the last layer has 3 outputs in the order of
    ``LABELS``. With one layer the head is a multinomial logistic regression; with two, an MLP with one
    hidden layer."""

    def __init__(
        self,
        mean: npt.ArrayLike,
        scale: npt.ArrayLike,
        weights: Sequence[npt.ArrayLike],
        biases: Sequence[npt.ArrayLike],
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.mean = np.asarray(mean, dtype=np.float32)
        self.scale = np.asarray(scale, dtype=np.float32)
        self.weights = [np.ascontiguousarray(w, dtype=np.float32) for w in weights]
        self.biases = [np.asarray(b, dtype=np.float32) for b in biases]
        self.meta: dict[str, Any] = dict(meta or {})
        self._check()
        # Standardisation folded into the first layer: ((x - mean) / scale) @ W + b == x @ W' + b'.
        first = self.weights[0] / self.scale[:, None]
        self._layers = [
            (first, self.biases[0] - self.mean @ first),
            *zip(self.weights[1:], self.biases[1:], strict=True),
        ]
        self._first_blocks = tuple(np.ascontiguousarray(block) for block in np.split(first, 4, axis=0))

    def _check(self) -> None:
        if not self.weights or len(self.weights) != len(self.biases):
            raise NliHeadError("an NLI head needs as many bias vectors as weight matrices, at least one")
        features = self.mean.shape
        if len(features) != 1 or self.scale.shape != features or features[0] % 4:
            raise NliHeadError(f"mean {self.mean.shape} and scale {self.scale.shape} must be (4 * dimension,)")
        inputs = features[0]
        for w, b in zip(self.weights, self.biases, strict=True):
            if w.ndim != 2 or w.shape[0] != inputs or b.shape != (w.shape[1],):
                raise NliHeadError(f"layer shapes do not chain: weight {w.shape}, bias {b.shape}, inputs {inputs}")
            inputs = w.shape[1]
        if inputs != len(LABELS):
            raise NliHeadError(f"the last layer must have {len(LABELS)} outputs, not {inputs}")
        if not np.all(self.scale > 0):
            raise NliHeadError("every scale must be positive")

    @property
    def dimension(self) -> int:
        """The length of the sentence vectors the head reads (512 for the bundled model)."""
        return int(self.mean.shape[0] // 4)

    def logits(self, premises: npt.ArrayLike, hypotheses: npt.ArrayLike) -> FloatArray:
        """Unnormalised scores, float32, shape ``(n, 3)``."""
        u, v = _pair(premises, hypotheses)
        if u.shape[1] != self.dimension:
            raise NliHeadError(f"the head reads {self.dimension}-d vectors, not {u.shape[1]}-d")
        # The first layer block by block: the same product as pair_features(u, v) @ W, without the copy.
        w_u, w_v, w_d, w_p = self._first_blocks
        x = u @ w_u + v @ w_v + np.abs(u - v) @ w_d + (u * v) @ w_p + self._layers[0][1]
        for w, b in self._layers[1:]:
            x = np.maximum(x, 0.0) @ w + b
        out: FloatArray = x
        return out

    def scores(self, premises: npt.ArrayLike, hypotheses: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """P(entailment), P(neutral), P(contradiction) of each hypothesis given its premise: ``(n, 3)``.

        ``premises`` and ``hypotheses`` are ``(n, dimension)`` unit vectors of the bundled model (row ``i``
        of one pairs with row ``i`` of the other); each output row sums to 1."""
        return softmax(self.logits(premises, hypotheses))

    def half(self) -> NliHead:
        """The same head with its weight matrices rounded to float16, as ``save`` stores them."""
        weights = [w.astype(np.float16).astype(np.float32) for w in self.weights]
        return NliHead(self.mean, self.scale, weights, self.biases, self.meta)

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The plain arrays of the head file (what ``save`` writes): weight matrices in float16, the rest
        in float32, the labels and a JSON string of metadata."""
        arrays: dict[str, npt.NDArray[Any]] = {
            "mean": self.mean,
            "scale": self.scale,
            "labels": np.array(LABELS),
            "meta": np.array(json.dumps(self.meta, sort_keys=True)),
        }
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            arrays[f"w{i}"] = w.astype(np.float16)
            arrays[f"b{i}"] = b
        return arrays

    def save(self, path: Path) -> None:
        """Write the head as a compressed ``.npz`` of plain arrays (no pickles); see ``to_arrays``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            np.savez_compressed(file, **self.to_arrays())  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path = DEFAULT_HEAD_PATH) -> NliHead:
        """Read a head written by ``save``. Raises ``NliHeadError`` if the file is missing or malformed."""
        try:
            with np.load(path, allow_pickle=False) as data:
                layers = sum(1 for name in data.files if name.startswith("w"))
                labels = tuple(str(label) for label in data["labels"])
                if labels != LABELS:
                    raise NliHeadError(f"{path}: labels {labels}, expected {LABELS}")
                return cls(
                    data["mean"],
                    data["scale"],
                    [data[f"w{i}"] for i in range(layers)],
                    [data[f"b{i}"] for i in range(layers)],
                    json.loads(str(data["meta"])),
                )
        except (OSError, KeyError, ValueError) as exc:
            if isinstance(exc, NliHeadError):
                raise
            raise NliHeadError(f"cannot load the NLI head {path}: {exc}") from exc


@lru_cache(maxsize=1)
def default_nli_head() -> NliHead:
    """The shipped head, loaded once per process."""
    return NliHead.load(DEFAULT_HEAD_PATH)
