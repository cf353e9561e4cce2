"""Posts in, conversation analysis out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.check.schemas import MAX_CHECK_TEXT

MAX_SYNC_POSTS = 1_000
MAX_POSTS = 100_000


class Post(BaseModel):
    """One community post. Only ``text`` is required."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, StringConstraints(max_length=200)] | None = None
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_CHECK_TEXT)]
    author: Annotated[str, StringConstraints(max_length=200)] | None = None
    timestamp: dt.datetime | None = None
    channel: Annotated[str, StringConstraints(max_length=100)] | None = None
    likes: int | None = Field(None, ge=0)
    shares: int | None = Field(None, ge=0)
    views: int | None = Field(None, ge=0)


class AnalysisRequest(BaseModel):
    """A corpus of posts to analyse (JSON). CSV and JSONL uploads are accepted too."""

    model_config = ConfigDict(extra="forbid")

    posts: list[Post] = Field(min_length=1, max_length=MAX_POSTS)


class PostRef(BaseModel):
    """A post quoted as an example."""

    id: str
    text: str
    author: str | None = None
    timestamp: dt.datetime | None = None


class MessagePullThrough(BaseModel):
    """How a key message is landing."""

    id: str
    text: str
    posts: int
    pull_through: float = Field(description="Share of posts carrying the message.")
    share_of_voice: float = Field(description="Its share of all key-message mentions.")
    confidence: float | None = Field(
        None, description="Mean confidence of the decision that the posts counted carry it (null: no post)."
    )
    examples: list[PostRef]


class Dilution(BaseModel):
    """How much of the on-topic talk carries no key message, and how much is off-topic."""

    sentences: int
    on_topic_sentences: int
    on_topic_without_message: int
    dilution: float = Field(description="Share of on-topic sentences that carry no key message.")
    off_topic_sentences: int
    off_topic_share: float = Field(description="Share of all sentences that match no fact or message.")


class AvoidTopicShare(BaseModel):
    """How often an avoid-topic comes up."""

    id: str
    text: str
    posts: int
    share: float
    examples: list[PostRef]


class DistortionStat(BaseModel):
    """One distortion (fact and kind) across the corpus."""

    fact_id: str | None
    fact_text: str | None
    kind: str
    posts: int
    share: float
    reach: int = Field(description="Engagement of the posts carrying it (likes + shares + views).")
    priority: float = Field(description="Frequency weighted by reach: what to correct first ranks highest.")
    confidence: float | None = Field(
        None, description="Mean confidence of the decision that the posts counted distort the fact this way."
    )
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    correction: str = Field(description="What to tell the community: the official fact.")
    example_correction: str = Field(description="A corrected post sentence, as the checker suggests it.")
    examples: list[PostRef]


class DuplicateCluster(BaseModel):
    """Posts that are (near) copies of each other."""

    size: int
    post_ids: list[str]
    sample: str


class NoveltyPoint(BaseModel):
    """Novelty of one period's posts against everything before."""

    period: str
    posts: int
    novelty: float


class Homogenisation(BaseModel):
    """Is the conversation repeating itself?"""

    novelty_index: float = Field(
        description="Mean novelty of the later half of the posts (1 - similarity to the closest earlier post)."
    )
    novelty_by_period: list[NoveltyPoint]
    near_duplicate_clusters: list[DuplicateCluster]
    posts_in_clusters: int


class BacklashAuthor(BaseModel):
    """An author who posted on-message earlier and negative statements about the facts later."""

    author: str
    on_message_posts: int
    negative_posts: int
    first_on_message: dt.datetime | None
    first_negative: dt.datetime | None
    examples: list[PostRef]


class TimeBucket(BaseModel):
    """Counts for one day or week."""

    period: str
    posts: int
    distorted_posts: int
    messages: dict[str, int]
    avoid_topics: dict[str, int]


class Timeline(BaseModel):
    """A time series, when posts have timestamps."""

    granularity: str
    buckets: list[TimeBucket]


class AnalysisResult(BaseModel):
    """What a month of community posts says about the brand's messages and facts."""

    kb_id: str
    kb_version: int
    posts: int
    distorted_posts: int
    key_messages: list[MessagePullThrough]
    dilution: Dilution
    avoid_topics: list[AvoidTopicShare]
    distortions: list[DistortionStat] = Field(description="Ranked: what to correct first comes first.")
    homogenisation: Homogenisation
    backlash: list[BacklashAuthor]
    timeline: Timeline | None
    generated_at: dt.datetime
    decision_version: str | None = Field(
        None,
        description="The decision the posts were checked with (as `decision_version` in a check response; "
        "versions joined with `, ` if it changed while a job ran); null when no post was checked.",
    )
