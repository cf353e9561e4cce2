"""What every part of the repository works on: the store, the two encoders and the live collections."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from knowledge_base.repository.layout import FIRST_ITEMS_COLLECTION, claims_collection_of
from knowledge_base.store.base import SparseVector, VectorStore


class Embedder(Protocol):
    """What the repository needs of the embedding model."""

    model_id: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Unit-length dense vectors, one row per text."""
        ...


class LexicalEncoderLike(Protocol):
    """What the repository needs of the lexical (sparse) encoder."""

    @property
    def signature(self) -> str:
        """Identifies the tokenizer and weighting; vectors from another signature need a reindex."""
        ...

    def encode_documents(self, texts: Sequence[str]) -> list[SparseVector]: ...

    def encode_queries(self, texts: Sequence[str]) -> list[SparseVector]: ...


# (brand, product, fact text) -> the texts whose vectors the checker compares posts with.
ClaimTexts = Callable[[str, str, str], Sequence[str]]


@dataclass
class RepositoryContext:
    """The store and encoders, and which items collection is live (opening and reindexing move it)."""

    store: VectorStore
    embedder: Embedder
    lexical: LexicalEncoderLike
    items_collection: str = FIRST_ITEMS_COLLECTION

    @property
    def claims_collection(self) -> str:
        """Where the vectors of the facts' claims are kept."""
        return claims_collection_of(self.items_collection)
