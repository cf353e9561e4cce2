"""Request and response bodies of the check endpoint."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, field_validator

from knowledge_base.models import has_visible_text, json_number, text_patterns
from service.kb_admin.schemas import Section

MAX_CHECK_TEXT = 20_000


class Verdict(enum.StrEnum):
    """What a sentence does with respect to the knowledge base."""

    CONSISTENT = "consistent"
    DISTORTION = "distortion"
    UNRELATED = "unrelated"


class DistortionKind(enum.StrEnum):
    """How content departs from the official facts."""

    NUMERIC = "numeric"
    USAGE = "usage"
    CONTRADICTION = "contradiction"
    PROHIBITED = "prohibited"
    ABSOLUTE = "absolute"


class OffsetUnit(enum.StrEnum):
    """What the offsets of a check response count."""

    CODEPOINTS = "codepoints"
    UTF16 = "utf16"
    UTF8 = "utf8"


OFFSETS_NOTE = "Counts code points (Python's str indices) unless the request asks for other `offsets`."


class CheckRequest(BaseModel):
    """A piece of content to check."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=text_patterns(text="visible"))

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_CHECK_TEXT)] = Field(
        description="The post, thread or review (Chinese, English or mixed)."
    )
    lang: Literal["zh", "en", "mixed"] | None = Field(None, description="zh, en or mixed; detected when absent.")
    min_confidence: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Report only distortions, key messages and avoid-topics at least this confident: higher "
        "means fewer false alarms and more misses. Absent: the service's setting, else the fitted thresholds.",
    )
    offsets: OffsetUnit = Field(
        OffsetUnit.CODEPOINTS,
        description="What every offset of the response counts: `codepoints` (the default; Python's str indices), "
        "`utf16` (code units: JavaScript's string indices and the Language Server Protocol's default) or `utf8` "
        "(bytes of the UTF-8 encoding).",
    )

    _min_confidence_is_a_number = field_validator("min_confidence", mode="before")(json_number)

    @field_validator("text")
    @classmethod
    def _has_content(cls, value: str) -> str:
        if not has_visible_text(value):
            raise ValueError("text must contain visible characters")
        return value


class Match(BaseModel):
    """A knowledge-base item a sentence is close to."""

    section: Section
    id: str
    text: str
    score: float = Field(description="Cosine similarity between the sentence (or clause) and the item.")


class Figure(BaseModel):
    """A figure as written, with its value in the canonical unit."""

    text: str
    value: float
    unit: str
    bound: str


class Edit(BaseModel):
    """A replacement in the original text: ``text`` replaces ``[start, end)``."""

    start: int = Field(description="Start offset of the replaced span in the original text. " + OFFSETS_NOTE)
    end: int = Field(description="End offset (exclusive) of the replaced span in the original text. " + OFFSETS_NOTE)
    text: str


class Distortion(BaseModel):
    """One way a sentence departs from the official facts, with the fact, why, and a correction."""

    kind: DistortionKind
    fact_id: str | None = Field(description="The fact (or prohibited claim) distorted; null for absolute claims.")
    fact_text: str | None
    start: int = Field(description="Start offset of the offending clause in the original text. " + OFFSETS_NOTE)
    end: int = Field(description="End offset (exclusive) of the offending clause in the original text. " + OFFSETS_NOTE)
    explanation: str
    correction: str = Field(
        description="Suggested wording: the sentence with the official figure or neutral wording, the official "
        "text for a forbidden use or a contradiction, or empty for a prohibited claim (drop it)."
    )
    claimed: Figure | None = None
    official: Figure | None = None
    score: float = Field(description="Similarity between the clause and the official claim it was compared with.")
    confidence: float = Field(
        1.0, ge=0, le=1, description="The fitted decision's calibrated probability that this distortion is right."
    )
    edit: Edit | None = Field(None, description="The replacement that corrects it in the original text.")
    _marks: frozenset[str] = PrivateAttr(default_factory=frozenset)

    @property
    def marks(self) -> frozenset[str]:
        """What the mechanism that proposed it noted for the decision (``other_condition``: the figure is right
        for another condition of the fact; ``unrestricted``: the clause drops the fact's restriction;
        ``required_action``: the clause leaves out what a rule requires). Not part of the response."""
        return self._marks

    def marked(self, marks: frozenset[str]) -> Distortion:
        """The distortion with ``marks`` added to its marks."""
        self._marks = self._marks | marks
        return self


class SentenceResult(BaseModel):
    """One sentence of the content: where it is, what it matches, and its verdict."""

    index: int
    start: int = Field(description="Start offset of the sentence in the original text. " + OFFSETS_NOTE)
    end: int = Field(description="End offset (exclusive) of the sentence in the original text. " + OFFSETS_NOTE)
    text: str
    verdict: Verdict
    facts: list[Match]
    key_messages: list[Match]
    avoid_topics: list[Match]
    prohibited_claims: list[Match]
    distortions: list[Distortion]


class CarriedMessage(BaseModel):
    """A key message the content carries, with the sentence that carries it."""

    id: str
    text: str
    sentence_index: int
    sentence: str
    score: float
    confidence: float = Field(
        1.0, ge=0, le=1, description="The fitted decision's calibrated probability that the message is carried."
    )


class ItemRef(BaseModel):
    """A key message or avoid-topic by id and text."""

    id: str
    text: str


class TouchedTopic(BaseModel):
    """An avoid-topic the content touches, with the sentence that touches it."""

    id: str
    text: str
    sentence_index: int
    sentence: str
    score: float
    confidence: float = Field(
        1.0, ge=0, le=1, description="The fitted decision's calibrated probability that the topic is touched."
    )


class CheckCounts(BaseModel):
    """Totals over the whole text."""

    sentences: int
    consistent: int
    distortion: int
    unrelated: int
    distortions_by_kind: dict[str, int]


class CheckResponse(BaseModel):
    """The verdict on a piece of content."""

    kb_id: str
    kb_version: int
    lang: str
    sentences: list[SentenceResult] = Field(
        description="Every sentence, in text order; `text[start:end]` is the sentence when offsets count code points."
    )
    distortions: list[Distortion] = Field(description="Every distortion, in text order (offsets as in `sentences`).")
    key_messages_carried: list[CarriedMessage]
    key_messages_missed: list[ItemRef]
    avoid_topics_touched: list[TouchedTopic]
    counts: CheckCounts
    consistency_score: float = Field(
        description="Share of on-topic sentences without a distortion (1.0 when nothing is on-topic)."
    )
    corrected_text: str = Field(description="The text with every correction applied.")
    thresholds: dict[str, float] = Field(description="The thresholds the verdicts were made with.")
    decision_version: str = Field(
        description="The decision the verdicts were made with: the shared model's version, or `<kb id>/<N>` for "
        "version N of the knowledge base's own model (fitted on its reviewers' feedback)."
    )
