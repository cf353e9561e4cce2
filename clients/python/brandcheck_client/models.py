"""Response models. They accept fields newer servers add (``extra="allow"``), so old clients keep working."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DistortionKind = Literal["numeric", "usage", "contradiction", "prohibited", "absolute"]
"""The kinds of distortion a request may name (responses keep any kind as a plain ``str``)."""
OffsetUnit = Literal["codepoints", "utf16", "utf8"]


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
    confidence: float | None = None


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


# -- feedback -----------------------------------------------------------------------------------------
#
# Request models mirror the server's: unknown fields are refused (``extra="forbid"``) except on a flagged
# distortion, which takes a check's distortion whole. Sent with only the fields that were set, so an explicit
# ``fact_id=None`` (no fact: an absolute claim) differs from leaving ``fact_id`` out (keep the flag's fact).


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FlaggedDistortion(BaseModel):
    """A distortion as the checker reported it: kind, fact (None for an absolute claim), span, confidence."""

    model_config = ConfigDict(extra="ignore")

    kind: DistortionKind
    fact_id: str | None
    start: int
    end: int
    confidence: float | None = None


class VerdictRef(_Request):
    """The verdict feedback answers: the knowledge-base version of the check and what it reported."""

    kb_version: int
    distortions: list[FlaggedDistortion] = Field(default_factory=list)
    key_messages_carried: list[str] = Field(default_factory=list)
    avoid_topics_touched: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, result: CheckResult) -> VerdictRef:
        """The verdict of a check result, as feedback refers to it (offsets as the check counted them)."""
        return cls(
            kb_version=result.kb_version,
            distortions=[
                FlaggedDistortion.model_validate(
                    {"kind": d.kind, "fact_id": d.fact_id, "start": d.start, "end": d.end, "confidence": d.confidence}
                )
                for d in result.distortions
            ],
            key_messages_carried=[message.id for message in result.key_messages_carried],
            avoid_topics_touched=[str(topic["id"]) for topic in result.avoid_topics_touched],
        )


class DistortionMark(_Request):
    """A mark on one flag (``distortion``: its index in the verdict): right, or wrong, optionally with the
    kind and fact it really is (``fact_id`` left out keeps the flag's fact; None: an absolute claim)."""

    distortion: int
    right: bool
    kind: DistortionKind | None = None
    fact_id: str | None = None


class MissedDistortion(_Request):
    """A distortion the checker missed: a span of the text, a kind and its fact (None for ``absolute``)."""

    start: int
    end: int
    kind: DistortionKind
    fact_id: str | None = None


class ItemMark(_Request):
    """A carried key message or touched avoid-topic, confirmed (``right=True``) or rejected."""

    id: str
    right: bool


class ReviewSource(_Request):
    """The review-queue post feedback answers: the analysis job and the post's index in it."""

    job_id: str
    post_index: int


class FeedbackRequest(_Request):
    """A reviewer's feedback on one verdict: the post as checked, the verdict, and the marks."""

    text: str
    offsets: OffsetUnit = "codepoints"
    verdict: VerdictRef
    marks: list[DistortionMark] = Field(default_factory=list)
    missed: list[MissedDistortion] = Field(default_factory=list)
    key_messages: list[ItemMark] = Field(default_factory=list)
    avoid_topics: list[ItemMark] = Field(default_factory=list)
    source: ReviewSource | None = None


class Label(_Model):
    """A distortion as the reviewer labels it (offsets in code points)."""

    kind: str
    fact_id: str | None
    start: int
    end: int


class ReviewerLabels(_Model):
    """What the post has according to the reviewer: distortions, key messages and avoid-topics confirmed."""

    distortions: list[Label]
    key_messages: list[str]
    avoid_topics: list[str]


class FlagRecord(_Model):
    """A flag of a stored verdict."""

    kind: str
    fact_id: str | None
    start: int
    end: int
    confidence: float | None = None


class VerdictRecord(_Model):
    """The verdict of a stored entry."""

    kb_version: int
    distortions: list[FlagRecord] = Field(default_factory=list)
    key_messages_carried: list[str] = Field(default_factory=list)
    avoid_topics_touched: list[str] = Field(default_factory=list)


class MarkRecord(_Model):
    """A mark of a stored entry (``fact_id`` is absent from ``model_fields_set`` when it was not given)."""

    distortion: int
    right: bool
    kind: str | None = None
    fact_id: str | None = None


class MissedRecord(_Model):
    """A missed distortion of a stored entry."""

    start: int
    end: int
    kind: str
    fact_id: str | None = None


class ItemMarkRecord(_Model):
    """A key-message or avoid-topic mark of a stored entry."""

    id: str
    right: bool


class SourceRecord(_Model):
    """The review-queue post a stored entry answers."""

    job_id: str
    post_index: int


class FeedbackEntry(_Model):
    """One stored feedback entry: who gave it (``reviewer``, the key's name) and when; spans in code points."""

    id: str
    kb_id: str
    kb_version: int
    at: dt.datetime
    reviewer: str
    reviewer_key_id: str | None
    text: str
    verdict: VerdictRecord
    marks: list[MarkRecord]
    missed: list[MissedRecord]
    key_messages: list[ItemMarkRecord]
    avoid_topics: list[ItemMarkRecord]
    source: SourceRecord | None = None
    agreed: bool
    kinds: list[str]
    labels: ReviewerLabels


class FeedbackPage(_Model):
    """A page of feedback entries, newest first; ``total`` is every entry matching the filters."""

    total: int
    offset: int
    limit: int
    entries: list[FeedbackEntry]


class Figures(_Model):
    """How the checker fared against the reviewers: flags marked, right, wrong, missed; agreement = right /
    (marked + missed), precision = right / marked, recall = right / (right + missed) (None with nothing to
    divide by)."""

    marked: int
    right: int
    wrong: int
    missed: int
    agreement: float | None
    precision: float | None
    recall: float | None


class KindFigures(Figures):
    """Figures of one distortion kind."""

    kind: str


class FactFigures(Figures):
    """Figures of one fact or prohibited claim (None: absolute claims)."""

    fact_id: str | None


class ItemFigures(_Model):
    """How often reviewers confirmed a carried key message or a touched avoid-topic."""

    id: str
    confirmed: int
    rejected: int
    agreement: float


class WeekFigures(Figures):
    """Figures of the entries given in one ISO week (``week`` as 2026-W07)."""

    week: str
    entries: int


class FeedbackSummary(_Model):
    """Agreement between the reviewers and the checker: overall, per kind, per fact, per item, per week."""

    kb_id: str
    entries: int
    overall: Figures
    by_kind: list[KindFigures]
    by_fact: list[FactFigures]
    key_messages: list[ItemFigures]
    avoid_topics: list[ItemFigures]
    weeks: list[WeekFigures]


# -- decision models ---------------------------------------------------------------------------------------


class DecisionModelInfo(_Model):
    """One version of a knowledge base's own decision model, fitted on its reviewers' feedback."""

    kb_id: str
    version: int
    decision_version: str  # how check responses name it: "<kb id>/<N>"
    created: str
    created_by: str
    trained_on: str
    feedback_entries: int
    active: bool


# -- review queue ------------------------------------------------------------------------------------------


class QueuedPost(_Model):
    """A flagged post of an analysis job: its index in the job, reach and lowest flag confidence."""

    index: int
    id: str
    text: str
    author: str | None
    reach: int
    confidence: float
    kinds: list[str]


class OfficialFact(_Model):
    """A fact or prohibited claim the post's verdict refers to."""

    id: str
    text: str
    section: str


class ReviewItem(_Model):
    """The post to review now (``position``: 1 = first), its check run again, and the facts concerned."""

    post: QueuedPost
    position: int
    check: CheckResult
    facts: list[OfficialFact]


class ReviewQueue(_Model):
    """A reviewer's progress through the flagged posts of an analysis job; ``current`` is None when done."""

    job_id: str
    kb_id: str
    reviewer: str
    order: str
    total: int
    reviewed: int
    skipped: int
    remaining: int
    current: ReviewItem | None
