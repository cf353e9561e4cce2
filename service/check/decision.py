"""The fitted decision: which proposed candidates the checker reports, and how confident it is in each.

The mechanisms (figures, rules, polarity, prohibited claims, absolute terms, message and topic similarity)
propose candidates with the evidence for each as named features. A post's candidates for one key (a fact
it may distort, an absolute claim, a key message it may carry, a topic it may touch) are pooled into one
bag of evidence; one small logistic regression per family turns a bag into a probability, and the
family's threshold (fitted with it) decides.
The weights live in a JSON file made by ``brandcheck train`` from labelled products (``shared/eval`` format)
and loaded once at start.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from knowledge_base.repository import KnowledgeBaseRepository

Features = dict[str, float]

DISTORTION_FAMILIES = ("numeric", "usage", "contradiction", "prohibited", "absolute")
FAMILIES = (*DISTORTION_FAMILIES, "message", "topic")

DEFAULT_MODEL_PATH = Path(__file__).parent / "data" / "decision.json"


@dataclass(frozen=True)
class LogisticModel:
    """A logistic regression over named features, with the standardisation it was fitted with."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def logit(self, values: Mapping[str, float]) -> float:
        """The log-odds that the candidate is right, for one candidate's features (a missing feature counts as 0)."""
        z = self.bias
        for name, mean, scale, weight in zip(self.features, self.mean, self.scale, self.weights, strict=True):
            z += weight * (values.get(name, 0.0) - mean) / scale
        return z

    def probability(self, values: Mapping[str, float]) -> float:
        """P(the candidate is right) for one candidate's features (a missing feature counts as 0)."""
        return sigmoid(self.logit(values))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "weights": [round(v, 6) for v in self.weights],
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LogisticModel:
        return cls(
            features=tuple(data["features"]),
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) for v in data["scale"]),
            weights=tuple(float(v) for v in data["weights"]),
            bias=float(data["bias"]),
        )


def sigmoid(z: float) -> float:
    """The logistic function, clamped to [-30, 30] in log-odds."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def fit_logistic(rows: Sequence[Mapping[str, float]], labels: Sequence[int], l2: float = 1.0) -> LogisticModel:
    """Fit a logistic regression by Newton's method with an L2 penalty (deterministic: no random start).

    Features are the union of the rows' names, standardised; a family with one class only gets a constant
    model at that class's smoothed rate."""
    names = tuple(sorted({name for row in rows for name in row}))
    y = np.asarray(labels, dtype=np.float64)
    rate = (y.sum() + 0.5) / (len(y) + 1.0)
    if not names or len(y) == 0 or y.min() == y.max():
        n = len(names)
        return LogisticModel(names, (0.0,) * n, (1.0,) * n, (0.0,) * n, math.log(rate / (1 - rate)))
    x = np.asarray([[row.get(name, 0.0) for name in names] for row in rows], dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    design = np.hstack([z, np.ones((len(z), 1))])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not penalised

    def loss(b: np.ndarray[Any, np.dtype[np.float64]]) -> float:
        z = design @ b
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(penalty * b * b))

    beta = np.zeros(design.shape[1])
    beta[-1] = math.log(rate / (1 - rate))
    current = loss(beta)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -30, 30)))
        gradient = design.T @ (p - y) + penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-6 and loss(beta - size * step) > current:
            size /= 2  # damped Newton: never a step that makes the fit worse
        beta = beta - size * step
        previous, current = current, loss(beta)
        if previous - current < 1e-10:
            break
    return LogisticModel(names, tuple(mean), tuple(scale), tuple(beta[:-1]), float(beta[-1]))


def bag_features(candidates: Iterable[Mapping[str, float]]) -> Features:
    """A post's evidence for one key (a fact, an absolute claim, a message or a topic) of one family: each
    feature's largest value over the post's candidates for it, and how many candidates there are."""
    bag: Features = {}
    count = 0
    for features in candidates:
        count += 1
        for name, value in features.items():
            if name not in bag or value > bag[name]:
                bag[name] = value
    bag["candidates"] = float(count)
    return bag


@dataclass(frozen=True)
class DecisionModel:
    """One logistic model per family of candidates and the fitted thresholds that decide them; a knowledge
    base's own model also has log-odds offsets learned from its reviewers (per distortion kind, and per fact or
    prohibited claim), none in the shared one."""

    models: Mapping[str, LogisticModel]
    thresholds: Mapping[str, float]
    version: str
    trained_on: str = ""
    kind_offsets: Mapping[str, float] = field(default_factory=dict)
    fact_offsets: Mapping[str, float] = field(default_factory=dict)

    def probability(self, family: str, features: Mapping[str, float], key: str | None = None) -> float:
        """The calibrated confidence (0-1) that a candidate of ``family`` is right; ``key`` (the fact or
        prohibited claim a distortion is of) picks up that fact's offset."""
        model = self.models.get(family)
        if model is None:
            return 1.0
        if not (self.kind_offsets or self.fact_offsets):
            return model.probability(features)
        offset = self.kind_offsets.get(family, 0.0)
        if key is not None and family in DISTORTION_FAMILIES:
            offset += self.fact_offsets.get(key, 0.0)
        return sigmoid(model.logit(features) + offset)

    def threshold(self, family: str, min_confidence: float | None = None) -> float:
        """The confidence from which a candidate of ``family`` is reported: the caller's, else the fitted one."""
        if min_confidence is not None:
            return min_confidence
        return self.thresholds.get(family, 0.5)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "trained_on": self.trained_on,
            "thresholds": {key: round(value, 4) for key, value in sorted(self.thresholds.items())},
            "models": {family: model.to_json() for family, model in sorted(self.models.items())},
        }
        if self.kind_offsets or self.fact_offsets:
            data["offsets"] = {
                "kinds": {key: round(value, 6) for key, value in sorted(self.kind_offsets.items())},
                "facts": {key: round(value, 6) for key, value in sorted(self.fact_offsets.items())},
            }
        return data

    def save(self, path: Path) -> None:
        """Write the model as indented JSON (small, diffable, reproducible byte for byte)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_PATH) -> DecisionModel:
        """Read a model written by :meth:`save`."""
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DecisionModel:
        """A model from :meth:`to_json`'s dict."""
        offsets = data.get("offsets", {})
        return cls(
            models={family: LogisticModel.from_json(model) for family, model in data["models"].items()},
            thresholds={key: float(value) for key, value in data["thresholds"].items()},
            version=str(data["version"]),
            trained_on=str(data.get("trained_on", "")),
            kind_offsets={key: float(value) for key, value in offsets.get("kinds", {}).items()},
            fact_offsets={key: float(value) for key, value in offsets.get("facts", {}).items()},
        )


# Every candidate proposed is kept, with confidence 1: what training reads.
PROPOSE_ALL = DecisionModel(models={}, thresholds={}, version="propose-all")


# The decision of the knowledge base being checked, set by ``DecisionModels.checking`` around a check.
_CHECKING: ContextVar[DecisionModel | None] = ContextVar("brandcheck_decision", default=None)


def kb_model_version(kb_id: str, version: int) -> str:
    """The version a knowledge base's own model N is known by in responses: ``<kb id>/<N>``."""
    return f"{kb_id}/{version}"


class DecisionModels:
    """The decision each knowledge base is checked with: its active model of its own (``brandcheck train --kb``)
    when it has one, else the shared one. Models read from the repository are kept by knowledge base and
    version; which version is active is read again after ``ttl`` seconds (so that other workers' activations
    are seen), and at once after :meth:`invalidate` (this process's)."""

    def __init__(
        self, shared: DecisionModel, repository: KnowledgeBaseRepository | None = None, ttl: float = 5.0
    ) -> None:
        self.shared = shared
        self.repository = repository
        self.ttl = ttl
        self._lock = threading.Lock()
        # kb id -> (when read, the active version and its model_id)
        self._active: dict[str, tuple[float, tuple[int, str] | None]] = {}
        self._models: dict[tuple[str, int, str], DecisionModel] = {}

    def active_version(self, kb_id: str) -> int | None:
        """The knowledge base's active version of its own model (None: the shared model)."""
        pointer = self._active_pointer(kb_id)
        return None if pointer is None else pointer[0]

    def _active_pointer(self, kb_id: str) -> tuple[int, str] | None:
        if self.repository is None:
            return None
        now = time.monotonic()
        with self._lock:
            cached = self._active.get(kb_id)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        pointer = self.repository.decision_models.active_pointer(kb_id)
        with self._lock:
            self._active[kb_id] = (now, pointer)
        return pointer

    def for_kb(self, kb_id: str) -> DecisionModel:
        """The decision to check ``kb_id`` with."""
        pointer = self._active_pointer(kb_id)
        if pointer is None or self.repository is None:
            return self.shared
        version, model_id = pointer
        with self._lock:
            model = self._models.get((kb_id, version, model_id))
        if model is None:
            stored = self.repository.decision_models.get(kb_id, version)
            if stored is None:  # the pointer names a version that is gone: the shared model, not an error
                return self.shared
            model = DecisionModel.from_json({**stored["model"], "version": kb_model_version(kb_id, version)})
            with self._lock:
                self._models[(kb_id, version, str(stored.get("model_id", "")))] = model
        return model

    @classmethod
    def of(cls, decision: DecisionModel | DecisionModels | None) -> DecisionModels:
        """``decision`` as a provider: a model alone serves every knowledge base; None: the shipped model."""
        if isinstance(decision, DecisionModels):
            return decision
        return cls(decision if decision is not None else DecisionModel.load())

    @contextmanager
    def checking(self, kb_id: str) -> Iterator[DecisionModel]:
        """Within the block, :meth:`current` is the decision of ``kb_id`` (per thread and task: a check runs on
        one thread, and concurrent checks of other knowledge bases do not see it)."""
        token = _CHECKING.set(self.for_kb(kb_id))
        try:
            yield _CHECKING.get() or self.shared
        finally:
            _CHECKING.reset(token)

    def current(self) -> DecisionModel:
        """The decision of the check running (see :meth:`checking`), else the shared one."""
        return _CHECKING.get() or self.shared

    def invalidate(self, kb_id: str) -> None:
        """Forget which version ``kb_id`` has active (after activating one)."""
        with self._lock:
            self._active.pop(kb_id, None)
