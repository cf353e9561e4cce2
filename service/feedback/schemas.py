"""Request and response bodies of reviewers' feedback on verdicts, its figures and the review queue."""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from knowledge_base.models import ItemId, JsonBool, JsonInt, has_visible_text, json_number, text_patterns
from service.check.schemas import MAX_CHECK_TEXT, CheckResponse, DistortionKind, OffsetUnit

MAX_MARKS = 200
SPAN_NOTE = "Counts code points unless the request's `offsets` says otherwise."


class FlaggedDistortion(BaseModel):
    """A distortion as the checker reported it (the check's other fields, such as `explanation`, may be sent
    along and are ignored)."""

    model_config = ConfigDict(extra="ignore")

    kind: DistortionKind
    fact_id: ItemId | None = Field(description="The fact or prohibited claim; null for an absolute claim.")
    start: JsonInt = Field(ge=0, description="Start of the flagged clause in the text. " + SPAN_NOTE)
    end: JsonInt = Field(ge=0, description="End (exclusive) of the flagged clause. " + SPAN_NOTE)
    confidence: float | None = Field(None, ge=0, le=1, description="The checker's confidence in the flag.")

    _confidence_is_a_number = field_validator("confidence", mode="before")(json_number)


class VerdictRef(BaseModel):
    """The verdict the feedback answers: the knowledge-base version it was made with and what it said."""

    model_config = ConfigDict(extra="forbid")

    kb_version: JsonInt = Field(ge=1, description="The `kb_version` of the check response.")
    distortions: list[FlaggedDistortion] = Field(default_factory=list, max_length=MAX_MARKS)
    key_messages_carried: list[ItemId] = Field(
        default_factory=list, max_length=MAX_MARKS, description="Ids of the key messages the check found carried."
    )
    avoid_topics_touched: list[ItemId] = Field(
        default_factory=list, max_length=MAX_MARKS, description="Ids of the avoid-topics the check found touched."
    )


class DistortionMark(BaseModel):
    """A reviewer's mark on one flagged distortion: right, or wrong (optionally with the right kind or fact)."""

    model_config = ConfigDict(extra="forbid")

    distortion: JsonInt = Field(ge=0, description="Index of the flag in `verdict.distortions`.")
    right: JsonBool = Field(description="True: the flag is right as it is; false: it is not.")
    kind: DistortionKind | None = Field(
        None, description="With `right: false`: the kind it really is (the span does distort something)."
    )
    fact_id: ItemId | None = Field(
        None,
        description="With `right: false`: the fact or prohibited claim it really distorts (null with kind "
        "`absolute`). Absent: the flag's fact, or none for an absolute claim.",
    )


class MissedDistortion(BaseModel):
    """A distortion the checker missed, added by the reviewer on a span of the text."""

    model_config = ConfigDict(extra="forbid")

    start: JsonInt = Field(ge=0, description="Start of the span (a sentence or clause). " + SPAN_NOTE)
    end: JsonInt = Field(ge=0, description="End (exclusive) of the span. " + SPAN_NOTE)
    kind: DistortionKind
    fact_id: ItemId | None = Field(
        None, description="The fact (prohibited claim for `prohibited`) it distorts; null for `absolute`."
    )


class ItemMark(BaseModel):
    """A carried key message or a touched avoid-topic, confirmed (right) or rejected."""

    model_config = ConfigDict(extra="forbid")

    id: ItemId
    right: JsonBool = Field(description="True: confirmed; false: rejected (the check was wrong).")


class ReviewSource(BaseModel):
    """Where the post came from when it was reviewed from an analysis job's review queue."""

    model_config = ConfigDict(extra="forbid")

    job_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    post_index: JsonInt = Field(ge=0, description="The post's position in the job (0 = first).")


class FeedbackRequest(BaseModel):
    """A reviewer's feedback on one verdict: the post, the verdict and the reviewer's marks."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=text_patterns(text="visible"))

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_CHECK_TEXT)] = Field(
        description="The post, as it was checked."
    )
    offsets: OffsetUnit = Field(
        OffsetUnit.CODEPOINTS,
        description="What the spans of the verdict's distortions and of `missed` count (as in the check request).",
    )
    verdict: VerdictRef
    marks: list[DistortionMark] = Field(default_factory=list, max_length=MAX_MARKS)
    missed: list[MissedDistortion] = Field(default_factory=list, max_length=MAX_MARKS)
    key_messages: list[ItemMark] = Field(
        default_factory=list, max_length=MAX_MARKS, description="Marks on `verdict.key_messages_carried`."
    )
    avoid_topics: list[ItemMark] = Field(
        default_factory=list, max_length=MAX_MARKS, description="Marks on `verdict.avoid_topics_touched`."
    )
    source: ReviewSource | None = Field(None, description="The review-queue post this answers, if any.")

    @field_validator("text")
    @classmethod
    def _has_content(cls, value: str) -> str:
        if not has_visible_text(value):
            raise ValueError("text must contain visible characters")
        return value


class Label(BaseModel):
    """A distortion as the reviewer labels it (offsets in code points)."""

    kind: DistortionKind
    fact_id: str | None
    start: int
    end: int


class ReviewerLabels(BaseModel):
    """What the post has according to the reviewer: the flags marked right, the corrected ones and the added
    ones; the key messages and avoid-topics confirmed."""

    distortions: list[Label]
    key_messages: list[str]
    avoid_topics: list[str]


class FeedbackEntry(BaseModel):
    """One stored feedback entry. Spans count code points."""

    id: str
    kb_id: str
    kb_version: int = Field(description="The knowledge-base version of the verdict it answers.")
    at: str = Field(description="When it was given (UTC, ISO 8601).")
    reviewer: str = Field(description="The name of the key it was given with ('local' without keys).")
    reviewer_key_id: str | None = Field(description="The key's id (first 12 hex digits of its SHA-256).")
    text: str
    verdict: VerdictRef
    marks: list[DistortionMark]
    missed: list[MissedDistortion]
    key_messages: list[ItemMark]
    avoid_topics: list[ItemMark]
    source: ReviewSource | None = None
    agreed: bool = Field(description="Every mark agreed with the checker and nothing was added.")
    kinds: list[DistortionKind] = Field(description="The distortion kinds the entry flags, marks or adds.")
    labels: ReviewerLabels


class FeedbackPage(BaseModel):
    """A page of feedback entries, newest first."""

    total: int = Field(description="Entries matching the filters.")
    offset: int
    limit: int
    entries: list[FeedbackEntry]


class Agreement(enum.StrEnum):
    """The agreed/disagreed filter."""

    AGREED = "agreed"
    DISAGREED = "disagreed"


class Figures(BaseModel):
    """How the checker fared against the reviewers on a set of flags."""

    marked: int = Field(description="Flags the reviewers marked.")
    right: int = Field(description="Flags marked right.")
    wrong: int = Field(description="Flags marked wrong (relabelled ones included).")
    missed: int = Field(description="Distortions the reviewers added, and the right labels of relabelled flags.")
    agreement: float | None = Field(
        description="right / (marked + missed): the share of the reviewers' judgements the checker matched."
    )
    precision: float | None = Field(description="right / marked.")
    recall: float | None = Field(description="right / (right + missed).")


class KindFigures(Figures):
    """Figures of one distortion kind."""

    kind: DistortionKind


class FactFigures(Figures):
    """Figures of one fact or prohibited claim (null: absolute claims, which name none)."""

    fact_id: str | None


class ItemFigures(BaseModel):
    """How often reviewers confirmed a carried key message or a touched avoid-topic."""

    id: str
    confirmed: int
    rejected: int
    agreement: float = Field(description="confirmed / (confirmed + rejected).")


class WeekFigures(Figures):
    """Figures of the entries given in one ISO week."""

    week: str = Field(description="The ISO week, as 2026-W07.")
    entries: int


class FeedbackSummary(BaseModel):
    """Agreement between the reviewers and the checker."""

    kb_id: str
    entries: int = Field(description="Feedback entries (reviewed posts) counted.")
    overall: Figures
    by_kind: list[KindFigures]
    by_fact: list[FactFigures]
    key_messages: list[ItemFigures]
    avoid_topics: list[ItemFigures]
    weeks: list[WeekFigures] = Field(description="The trend: one line per ISO week with entries, oldest first.")


class ReviewOrder(enum.StrEnum):
    """The order of a review queue."""

    CONFIDENCE = "confidence"
    REACH = "reach"


class SkipRequest(BaseModel):
    """Skip a post of a review queue (it stays unreviewed)."""

    model_config = ConfigDict(extra="forbid")

    post_index: JsonInt = Field(ge=0)


class QueuedPost(BaseModel):
    """A flagged post of an analysis job, as its review queue lists it."""

    index: int = Field(description="The post's position in the job (0 = first).")
    id: str
    text: str
    author: str | None
    reach: int
    confidence: float = Field(description="The lowest confidence of its flags.")
    kinds: list[str]


class OfficialFact(BaseModel):
    """A fact or prohibited claim the post's verdict refers to."""

    id: str
    text: str
    section: str


class ReviewItem(BaseModel):
    """The post to review now: the post, its verdict (checked again) and the official facts concerned."""

    post: QueuedPost
    position: int = Field(description="Its place in the queue (1 = first).")
    check: CheckResponse
    facts: list[OfficialFact]


class ReviewQueue(BaseModel):
    """A reviewer's progress through the flagged posts of an analysis job, and the post to review now."""

    job_id: str
    kb_id: str
    reviewer: str
    order: ReviewOrder
    total: int = Field(description="Flagged posts in the queue.")
    reviewed: int
    skipped: int
    remaining: int
    current: ReviewItem | None = Field(description="The next post neither reviewed nor skipped; null when done.")
