"""Response models. They accept fields newer servers add (``extra="allow"``), so old clients keep working."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Item(_Model):
    """A fact, key message, avoid-topic or prohibited claim."""

    id: str
    text: str


class KnowledgeBase(_Model):
    """A stored knowledge base with all its items."""

    id: str
    brand: str
    product: str
    lang: str
    version: int
    facts: list[Item] = Field(default_factory=list)
    key_messages: list[Item] = Field(default_factory=list)
    avoid_topics: list[Item] = Field(default_factory=list)
    prohibited_claims: list[Item] = Field(default_factory=list)
    updated_at: dt.datetime | None = None


class KnowledgeBaseSummary(_Model):
    """One line of the knowledge-base list."""

    id: str
    brand: str
    product: str
    lang: str
    version: int
    counts: dict[str, int]


class ItemChange(_Model):
    """The result of adding or replacing an item."""

    kb_id: str
    version: int
    section: str
    item: dict[str, Any]


class SearchResult(_Model):
    """An item near the query."""

    section: str
    id: str
    text: str
    score: float
    lexical_score: float
    rank: int


class SearchResponse(_Model):
    """Items nearest the query, best first."""

    kb_id: str
    version: int
    results: list[SearchResult]


class Distortion(_Model):
    """A departure from the official facts."""

    kind: str
    fact_id: str | None
    fact_text: str | None
    start: int
    end: int
    explanation: str
    correction: str


class Match(_Model):
    """A knowledge-base item a sentence is near."""

    section: str
    id: str
    text: str
    score: float


class Sentence(_Model):
    """One sentence of the checked text."""

    index: int
    start: int
    end: int
    text: str
    verdict: str
    distortions: list[Distortion]
    facts: list[Match] = Field(default_factory=list)


class CarriedMessage(_Model):
    """A key message the text carries."""

    id: str
    text: str
    sentence_index: int


class CheckResult(_Model):
    """The verdict on a piece of content."""

    kb_id: str
    kb_version: int
    lang: str
    sentences: list[Sentence]
    distortions: list[Distortion]
    key_messages_carried: list[CarriedMessage]
    key_messages_missed: list[Item]
    avoid_topics_touched: list[dict[str, Any]]
    consistency_score: float
    corrected_text: str
    decision_version: str | None = None  # the shared decision's version, or "<kb id>/<N>": the knowledge base's own


class Job(_Model):
    """An analysis job and its progress."""

    id: str
    kb_id: str
    status: str
    done: int
    total: int
    eta_seconds: float | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the job has stopped (succeeded, failed or cancelled)."""
        return self.status in ("succeeded", "failed", "cancelled")


class AnalysisResult(_Model):
    """A conversation analysis; see the server's documentation for every field."""

    kb_id: str
    kb_version: int
    posts: int
    distorted_posts: int
    key_messages: list[dict[str, Any]]
    dilution: dict[str, Any]
    avoid_topics: list[dict[str, Any]]
    distortions: list[dict[str, Any]]
    decision_version: str | None = None


class Me(_Model):
    """The caller: the key's name and role."""

    name: str
    role: str
    auth_enabled: bool


class AuditEntry(_Model):
    """One change to a knowledge base: who, when, what, and the version it produced."""

    kb_id: str
    version: int
    at: dt.datetime
    actor: str
    action: str
    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class ApiKey(_Model):
    """An API key as listed (never the key itself)."""

    name: str
    role: str
    key_id: str
    source: str
    created_at: str | None = None
    created_by: str | None = None
    rate_per_minute: int | None = None


class CreatedKey(ApiKey):
    """A new key: ``key`` is returned this once."""

    key: str
