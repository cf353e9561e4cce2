"""Request and response bodies of the knowledge-base API."""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from knowledge_base.models import ItemKind, KnowledgeBaseContent, KnowledgeBaseId, text_patterns

MAX_QUERY_TEXT = 5000


class Section(enum.StrEnum):
    """The item sections as they appear in URLs."""

    FACTS = "facts"
    KEY_MESSAGES = "key-messages"
    AVOID_TOPICS = "avoid-topics"
    PROHIBITED_CLAIMS = "prohibited-claims"

    @property
    def kind(self) -> ItemKind:
        """The item kind stored in this section."""
        return ItemKind(self.value.replace("-", "_"))


class KnowledgeBaseCreate(KnowledgeBaseContent):
    """A new knowledge base: the interchange format plus an optional id (derived from the product if absent)."""

    id: KnowledgeBaseId | None = Field(default=None, description="URL-safe id; derived from the product if absent.")


class KnowledgeBaseDocument(KnowledgeBaseContent):
    """A knowledge base as imported and exported in YAML (or JSON): the interchange format plus its id."""

    id: KnowledgeBaseId | None = Field(
        default=None, description="Its id; the import's `id` parameter wins, and without either, the product's."
    )
    version: int | None = Field(default=None, description="Ignored on import (the store numbers versions).")


class KnowledgeBaseSummary(BaseModel):
    """One line of the knowledge-base list."""

    id: str
    brand: str
    product: str
    lang: str
    version: int
    updated_at: str | None
    counts: dict[str, int] = Field(description="Number of items per section.")


class ItemChange(BaseModel):
    """The result of adding or replacing one item."""

    kb_id: str
    version: int = Field(description="The knowledge base's version after the change.")
    section: Section
    item: dict[str, Any]


class SearchRequest(BaseModel):
    """A text to find the nearest knowledge-base items for."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=text_patterns(text="not_blank"))

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUERY_TEXT)]
    limit: int = Field(5, ge=1, le=50, description="How many items to return.")
    sections: list[Section] | None = Field(None, description="Restrict to these sections; all when absent.")


class SearchResult(BaseModel):
    """One item near the query, with the scores used to rank it (for tuning thresholds)."""

    section: Section
    id: str
    text: str
    score: float = Field(description="Cosine similarity of the dense embeddings (-1..1).")
    lexical_score: float = Field(description="Sparse lexical (IDF-weighted) score; 0 when no term is shared.")
    rank: int = Field(description="Rank after fusing dense and lexical results with RRF (1 = best).")


class SearchResponse(BaseModel):
    """Items nearest the query text, best first."""

    kb_id: str
    version: int
    model: str
    results: list[SearchResult]


class AuditRecord(BaseModel):
    """One change to a knowledge base."""

    kb_id: str
    version: int = Field(description="The version the change produced (for a delete, the last version).")
    at: str = Field(description="When (UTC, ISO 8601).")
    actor: str = Field(description="The name of the key that made the change ('local' without keys).")
    action: str = Field(description="create, replace, delete, add_item, update_item or delete_item.")
    added: list[str] = Field(default_factory=list, description="Items added, as section/id.")
    changed: list[str] = Field(default_factory=list, description="Items changed, as section/id.")
    removed: list[str] = Field(default_factory=list, description="Items removed, as section/id.")
