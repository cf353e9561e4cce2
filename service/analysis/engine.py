"""Conversation analysis: check every post (in large batches), keep a compact outcome per post, aggregate.

Outcomes are small and JSON-serialisable, so a job can checkpoint them batch by batch and resume
after a restart; post vectors (the mean of each post's sentence vectors, from the same encode as the
check) are kept beside them for novelty and near-duplicate detection.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from knowledge_base.models import KnowledgeBase
from service.analysis.schemas import (
    AnalysisResult,
    AvoidTopicShare,
    BacklashAuthor,
    Dilution,
    DistortionStat,
    DuplicateCluster,
    Homogenisation,
    MessagePullThrough,
    NoveltyPoint,
    Post,
    PostRef,
    TimeBucket,
    Timeline,
)
from service.check.checker import Checker
from service.check.schemas import CheckResponse, Verdict

BATCH_POSTS = 256
EXAMPLES = 3
NOVELTY_SAMPLE = 4_000
DUPLICATE_JACCARD = 0.8
NEGATIVE_FACT_MIN = 0.15
_COMPLAINT = re.compile(
    r"差劲|太差|坑|失望|后悔|垃圾|退货|退款|骗|虚标|假的|夸大|翻车|智商税|不值|根本没有|根本不|"
    r"\b(?:terrible|awful|disappoint\w*|worst|refund\w*|scam\w*|lie|lies|lying|false|fake|useless|misleading|"
    r"overrated|rip-?off|returned it|broke(?:n)? (?:after|within))\b",
    re.IGNORECASE,
)

Vectors = np.ndarray[Any, np.dtype[np.float32]]


@dataclass
class PostOutcome:
    """What the check found in one post, kept small so that jobs can checkpoint it."""

    index: int
    id: str
    text: str
    author: str | None
    timestamp: str | None
    reach: int
    messages: list[str]
    avoid: list[str]
    distortions: list[tuple[str | None, str, str]]  # (fact id, kind, correction)
    sentences: int
    on_topic: int
    on_topic_without_message: int
    off_topic: int
    negative: bool
    # The decision's confidence in each verdict: "m:<message id>" and "d:<fact id or ->:<kind>"
    confidences: dict[str, float] = field(default_factory=dict)
    decision_version: str = ""  # the decision it was checked with ("": a checkpoint from before it was kept)

    def to_json(self) -> dict[str, Any]:
        """JSON form for the checkpoint file."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PostOutcome:
        """Read back a checkpointed outcome."""
        data = dict(data)
        data["distortions"] = [tuple(item) for item in data["distortions"]]
        return cls(**data)

    @property
    def time(self) -> dt.datetime | None:
        """The post's timestamp, timezone-aware."""
        if self.timestamp is None:
            return None
        moment = dt.datetime.fromisoformat(self.timestamp)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    def ref(self) -> PostRef:
        """The post as an example in a report."""
        text = self.text if len(self.text) <= 280 else self.text[:279] + "…"
        return PostRef(id=self.id, text=text, author=self.author, timestamp=self.time)


def outcome(index: int, post: Post, result: CheckResponse) -> PostOutcome:
    """The compact outcome of one checked post."""
    carrying = {message.sentence_index for message in result.key_messages_carried}
    on_topic = [s for s in result.sentences if s.verdict is not Verdict.UNRELATED]
    # Negative about the facts: a complaint about something the knowledge base covers, or denying a fact.
    negative = any(
        sentence.facts and sentence.facts[0].score >= NEGATIVE_FACT_MIN and _COMPLAINT.search(sentence.text)
        for sentence in result.sentences
    ) or any(d.kind.value == "contradiction" and d.explanation.startswith("denies") for d in result.distortions)
    engagement = (post.likes or 0) + (post.shares or 0) + (post.views or 0)
    return PostOutcome(
        index=index,
        id=post.id or str(index + 1),
        text=post.text,
        author=post.author,
        timestamp=post.timestamp.isoformat() if post.timestamp else None,
        reach=engagement,
        messages=[message.id for message in result.key_messages_carried],
        avoid=[topic.id for topic in result.avoid_topics_touched],
        distortions=[(d.fact_id, d.kind.value, d.correction) for d in result.distortions],
        confidences={
            **{f"m:{m.id}": m.confidence for m in result.key_messages_carried},
            **{f"d:{d.fact_id or '-'}:{d.kind.value}": d.confidence for d in result.distortions},
        },
        sentences=len(result.sentences),
        on_topic=len(on_topic),
        on_topic_without_message=sum(1 for s in on_topic if s.index not in carrying),
        off_topic=len(result.sentences) - len(on_topic),
        negative=negative,
        decision_version=result.decision_version,
    )


def check_posts(
    checker: Checker,
    kb_id: str,
    posts: Sequence[Post],
    start: int = 0,
    on_batch: Callable[[list[PostOutcome], Vectors], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[list[PostOutcome], Vectors]:
    """Check posts from ``start`` in batches; ``on_batch`` sees each batch (for checkpoints and progress)."""
    outcomes: list[PostOutcome] = []
    vectors: list[Vectors] = []
    for begin in range(start, len(posts), BATCH_POSTS):
        if should_stop is not None and should_stop():
            break
        batch = posts[begin : begin + BATCH_POSTS]
        results, post_vectors = checker.check_batch(kb_id, [post.text for post in batch])
        batch_outcomes = [
            outcome(begin + i, post, result) for i, (post, result) in enumerate(zip(batch, results, strict=True))
        ]
        outcomes.extend(batch_outcomes)
        vectors.append(post_vectors)
        if on_batch is not None:
            on_batch(batch_outcomes, post_vectors)
    stacked = np.concatenate(vectors) if vectors else np.zeros((0, checker.embedder.dimension), np.float32)
    return outcomes, stacked


# -- aggregation ------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _mean(values: Iterable[float]) -> float | None:
    """The mean of the decision's confidences, rounded (None for no post)."""
    found = list(values)
    return round(sum(found) / len(found), 4) if found else None


def _weight(post: PostOutcome) -> float:
    """A post's weight when ranking what to correct: 1, plus the log of its engagement when known."""
    return 1.0 + math.log1p(post.reach)


def aggregate(kb: KnowledgeBase, outcomes: Sequence[PostOutcome], vectors: Vectors) -> AnalysisResult:
    """The corpus-level analysis from per-post outcomes (in input order) and their vectors."""
    total = len(outcomes)
    message_posts: dict[str, list[PostOutcome]] = defaultdict(list)
    avoid_posts: dict[str, list[PostOutcome]] = defaultdict(list)
    distortion_posts: dict[tuple[str | None, str], list[tuple[PostOutcome, str]]] = defaultdict(list)
    for post in outcomes:
        for message_id in post.messages:
            message_posts[message_id].append(post)
        for topic_id in post.avoid:
            avoid_posts[topic_id].append(post)
        for fact_id, kind, correction in post.distortions:
            key = (fact_id, kind)
            if not distortion_posts[key] or distortion_posts[key][-1][0] is not post:
                distortion_posts[key].append((post, correction))
    mentions = sum(len(posts) for posts in message_posts.values())
    key_messages = [
        MessagePullThrough(
            id=message.id,
            text=message.text,
            posts=len(message_posts[message.id]),
            pull_through=_share(len(message_posts[message.id]), total),
            share_of_voice=_share(len(message_posts[message.id]), mentions),
            confidence=_mean(post.confidences.get(f"m:{message.id}", 1.0) for post in message_posts[message.id]),
            examples=[post.ref() for post in message_posts[message.id][:EXAMPLES]],
        )
        for message in kb.key_messages
    ]
    sentences = sum(post.sentences for post in outcomes)
    on_topic = sum(post.on_topic for post in outcomes)
    without = sum(post.on_topic_without_message for post in outcomes)
    off_topic = sum(post.off_topic for post in outcomes)
    dilution = Dilution(
        sentences=sentences,
        on_topic_sentences=on_topic,
        on_topic_without_message=without,
        dilution=_share(without, on_topic),
        off_topic_sentences=off_topic,
        off_topic_share=_share(off_topic, sentences),
    )
    avoid_topics = [
        AvoidTopicShare(
            id=topic.id,
            text=topic.text,
            posts=len(avoid_posts[topic.id]),
            share=_share(len(avoid_posts[topic.id]), total),
            examples=[post.ref() for post in avoid_posts[topic.id][:EXAMPLES]],
        )
        for topic in kb.avoid_topics
    ]
    fact_texts = {item.id: item.text for item in [*kb.facts, *kb.prohibited_claims]}
    distortions = []
    for (fact_id, kind), carriers in distortion_posts.items():
        times = [t for post, _ in carriers if (t := post.time) is not None]
        common = Counter(text for _, text in carriers if text).most_common(1)
        distortions.append(
            DistortionStat(
                fact_id=fact_id,
                fact_text=fact_texts.get(fact_id) if fact_id else None,
                kind=kind,
                posts=len(carriers),
                share=_share(len(carriers), total),
                reach=sum(post.reach for post, _ in carriers),
                priority=round(sum(_weight(post) for post, _ in carriers), 3),
                confidence=_mean(post.confidences.get(f"d:{fact_id or '-'}:{kind}", 1.0) for post, _ in carriers),
                first_seen=min(times) if times else None,
                last_seen=max(times) if times else None,
                correction=_corpus_correction(kind, fact_texts.get(fact_id or "")),
                example_correction=common[0][0] if common else "",
                examples=[post.ref() for post, _ in carriers[:EXAMPLES]],
            )
        )
    distortions.sort(key=lambda stat: (-stat.priority, -stat.posts, stat.fact_id or ""))
    return AnalysisResult(
        kb_id=kb.id,
        kb_version=kb.version,
        posts=total,
        distorted_posts=sum(1 for post in outcomes if post.distortions),
        key_messages=key_messages,
        dilution=dilution,
        avoid_topics=avoid_topics,
        distortions=distortions,
        homogenisation=homogenisation(outcomes, vectors),
        backlash=backlash(outcomes),
        timeline=timeline(kb, outcomes),
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        decision_version=", ".join(dict.fromkeys(p.decision_version for p in outcomes if p.decision_version)) or None,
    )


def _corpus_correction(kind: str, fact_text: str | None) -> str:
    """What to tell the community: the official fact, or why a claim must go."""
    if kind == "prohibited":
        return f"Remove this claim; the brand must never be associated with it: {fact_text}"
    if kind == "absolute":
        return (
            "Drop absolute and superlative wording (最/第一/best ever/guaranteed): the brand never makes such claims."
        )
    return f"Official: {fact_text}"


def _in_time_order(outcomes: Sequence[PostOutcome]) -> list[PostOutcome]:
    """Posts by timestamp when they all have one, else in input order."""
    if outcomes and all(post.timestamp for post in outcomes):
        return sorted(outcomes, key=lambda post: (post.time, post.index))
    return list(outcomes)


def homogenisation(outcomes: Sequence[PostOutcome], vectors: Vectors) -> Homogenisation:
    """Novelty of newer posts against earlier ones, and clusters of near-duplicate posts."""
    ordered = _in_time_order(outcomes)
    periods = _periods(ordered)
    points: list[NoveltyPoint] = []
    later_novelty: list[float] = []
    half = len(ordered) // 2
    seen_rows: list[int] = []
    position = 0
    for label, members in periods:
        rows = [post.index for post in members]
        if seen_rows:
            reference = (
                seen_rows
                if len(seen_rows) <= NOVELTY_SAMPLE
                else seen_rows[:: math.ceil(len(seen_rows) / NOVELTY_SAMPLE)]
            )
            similarity = vectors[rows] @ vectors[reference].T
            novelty = 1.0 - np.clip(similarity.max(axis=1), 0.0, 1.0)
            points.append(NoveltyPoint(period=label, posts=len(rows), novelty=round(float(novelty.mean()), 4)))
            later_novelty.extend(novelty[max(0, half - position) :].tolist())
        seen_rows.extend(rows)
        position += len(rows)
    clusters = near_duplicates(outcomes)
    return Homogenisation(
        novelty_index=round(float(np.mean(later_novelty)), 4) if later_novelty else 1.0,
        novelty_by_period=points,
        near_duplicate_clusters=clusters[:50],
        posts_in_clusters=sum(cluster.size for cluster in clusters),
    )


def _periods(ordered: Sequence[PostOutcome]) -> list[tuple[str, list[PostOutcome]]]:
    """Calendar periods (day or week) when posts have timestamps, else ten equal slices."""
    granularity = _granularity(ordered)
    if granularity is None:
        size = max(1, math.ceil(len(ordered) / 10))
        return [
            (f"posts {i + 1}-{min(i + size, len(ordered))}", list(ordered[i : i + size]))
            for i in range(0, len(ordered), size)
        ]
    groups: dict[str, list[PostOutcome]] = {}
    for post in ordered:
        assert post.time is not None
        groups.setdefault(_bucket(post.time, granularity), []).append(post)
    return list(groups.items())


def _granularity(outcomes: Sequence[PostOutcome]) -> str | None:
    times = [post.time for post in outcomes]
    if not times or any(t is None for t in times):
        return None
    span = max(t for t in times if t) - min(t for t in times if t)
    return "day" if span <= dt.timedelta(days=62) else "week"


def _bucket(moment: dt.datetime, granularity: str) -> str:
    day = moment.astimezone(dt.UTC).date()
    if granularity == "week":
        day -= dt.timedelta(days=day.weekday())
    return day.isoformat()


_NORMALISE = re.compile(r"[\W_]+", re.UNICODE)
SHINGLE_CHARS = 4
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it permutes 64-bit values
_MIX_1, _MIX_2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)

Hashes = np.ndarray[Any, np.dtype[np.uint64]]


def _mixed(values: Hashes) -> Hashes:
    """splitmix64's finaliser: every input bit moves every output bit, in place."""
    values ^= values >> np.uint64(30)
    values *= _MIX_1
    values ^= values >> np.uint64(27)
    values *= _MIX_2
    values ^= values >> np.uint64(31)
    return values


def shingle_hashes(texts: Sequence[str]) -> tuple[Hashes, np.ndarray[Any, np.dtype[np.int64]]]:
    """The distinct 64-bit hashes of each text's character 4-grams (letters and digits, lower-cased), sorted,
    in one flat array, and the bounds of each text's run in it (``len(texts) + 1`` entries). Computed for all
    texts at once in numpy: there are about 60 per post."""
    normalised = [_NORMALISE.sub("", text.lower()) for text in texts]
    lengths = np.fromiter(map(len, normalised), dtype=np.int64, count=len(normalised))
    chars = np.frombuffer("".join(normalised).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    windows = np.maximum(lengths - (SHINGLE_CHARS - 1), 0)
    window_bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(windows, out=window_bounds[1:])
    # A window starts at each of the first ``windows[i]`` characters of text i.
    first = np.arange(window_bounds[-1], dtype=np.int64) + np.repeat(
        np.cumsum(lengths) - lengths - window_bounds[:-1], windows
    )
    hashes = np.zeros(len(first), dtype=np.uint64)
    for offset in range(SHINGLE_CHARS):
        hashes *= _SPREAD
        hashes += chars[first + offset]
    _mixed(hashes)
    owners = np.repeat(np.arange(len(texts), dtype=np.int64), windows)
    order = np.lexsort((hashes, owners))
    hashes, owners = hashes[order], owners[order]
    distinct = np.ones(len(hashes), dtype=bool)
    distinct[1:] = (hashes[1:] != hashes[:-1]) | (owners[1:] != owners[:-1])
    bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners[distinct], minlength=len(texts)), out=bounds[1:])
    return hashes[distinct], bounds


def minhash_signatures(
    hashes: Hashes, bounds: np.ndarray[Any, np.dtype[np.int64]], count: int
) -> np.ndarray[Any, np.dtype[np.uint32]]:
    """``count`` MinHash values per text (rows of a text with no shingles stay at the maximum), from
    multiply-shift hash functions with fixed seeds: reports are reproducible."""
    rng = np.random.default_rng(20261125)
    multipliers = rng.integers(0, 2**63, size=count, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    offsets = rng.integers(0, 2**63, size=count, dtype=np.uint64)
    signatures = np.full((len(bounds) - 1, count), np.iinfo(np.uint32).max, dtype=np.uint32)
    nonempty = bounds[1:] > bounds[:-1]
    if not nonempty.any():
        return signatures
    starts = bounds[:-1][nonempty]
    permuted = np.empty_like(hashes)
    for column in range(count):
        np.multiply(hashes, multipliers[column], out=permuted)
        permuted += offsets[column]
        permuted >>= np.uint64(32)
        signatures[nonempty, column] = np.minimum.reduceat(permuted, starts)
    return signatures


def near_duplicates(outcomes: Sequence[PostOutcome], bands: int = 8, rows: int = 4) -> list[DuplicateCluster]:
    """Copy-paste clusters: MinHash with LSH banding over character 4-grams, confirmed by Jaccard."""
    hashes, bounds = shingle_hashes([post.text for post in outcomes])
    signatures = minhash_signatures(hashes, bounds, bands * rows)
    # Too short to tell a copy from a coincidence: fewer than three distinct shingles.
    sizes = np.diff(bounds)
    usable = np.flatnonzero(sizes >= 3)

    def jaccard(a: int, b: int) -> float:
        first, second = hashes[bounds[a] : bounds[a + 1]], hashes[bounds[b] : bounds[b + 1]]
        shared = np.intersect1d(first, second, assume_unique=True).size
        return float(shared / (sizes[a] + sizes[b] - shared))

    parent = list(range(len(outcomes)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # A pair that falls below the threshold often shares several bands: compare it once.
    different: set[tuple[int, int]] = set()
    for band in range(bands):
        keys = np.ascontiguousarray(signatures[usable, band * rows : (band + 1) * rows]).view(f"V{4 * rows}").ravel()
        buckets: dict[bytes, list[int]] = defaultdict(list)
        for index, key in zip(usable.tolist(), keys.tolist(), strict=True):
            buckets[key].append(index)
        for members in buckets.values():
            if len(members) < 2:
                continue
            first = members[0]
            for other in members[1:]:
                if find(first) == find(other) or (first, other) in different:
                    continue
                if jaccard(first, other) >= DUPLICATE_JACCARD:
                    parent[find(other)] = find(first)
                else:
                    different.add((first, other))
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(outcomes)):
        groups[find(index)].append(index)
    clusters = [
        DuplicateCluster(
            size=len(members), post_ids=[outcomes[i].id for i in members[:20]], sample=outcomes[members[0]].text[:280]
        )
        for members in groups.values()
        if len(members) > 1
    ]
    return sorted(clusters, key=lambda cluster: -cluster.size)


def backlash(outcomes: Sequence[PostOutcome]) -> list[BacklashAuthor]:
    """Authors whose on-message posts came before their negative statements about the facts."""
    by_author: dict[str, list[PostOutcome]] = defaultdict(list)
    for post in _in_time_order(outcomes):
        if post.author:
            by_author[post.author].append(post)
    found = []
    for author, posts in by_author.items():
        on_message = [p for p in posts if p.messages and not p.distortions and not p.negative]
        negative = [p for p in posts if p.negative]
        if not on_message or not negative:
            continue
        first_positive = posts.index(on_message[0])
        later_negative = [p for p in negative if posts.index(p) > first_positive]
        if not later_negative:
            continue
        found.append(
            BacklashAuthor(
                author=author,
                on_message_posts=len(on_message),
                negative_posts=len(later_negative),
                first_on_message=on_message[0].time,
                first_negative=later_negative[0].time,
                examples=[on_message[0].ref(), later_negative[0].ref()],
            )
        )
    return sorted(found, key=lambda item: (-item.negative_posts, item.author))


def timeline(kb: KnowledgeBase, outcomes: Sequence[PostOutcome]) -> Timeline | None:
    """Counts per day (or week, for spans over two months) when every post has a timestamp."""
    granularity = _granularity(outcomes)
    if granularity is None:
        return None
    buckets: dict[str, TimeBucket] = {}
    for post in _in_time_order(outcomes):
        assert post.time is not None
        label = _bucket(post.time, granularity)
        bucket = buckets.setdefault(
            label,
            TimeBucket(
                period=label,
                posts=0,
                distorted_posts=0,
                messages={m.id: 0 for m in kb.key_messages},
                avoid_topics={a.id: 0 for a in kb.avoid_topics},
            ),
        )
        bucket.posts += 1
        bucket.distorted_posts += bool(post.distortions)
        for message_id in post.messages:
            bucket.messages[message_id] = bucket.messages.get(message_id, 0) + 1
        for topic_id in post.avoid:
            bucket.avoid_topics[topic_id] = bucket.avoid_topics.get(topic_id, 0) + 1
    return Timeline(granularity=granularity, buckets=list(buckets.values()))


def analyse(checker: Checker, kb_id: str, posts: Sequence[Post]) -> AnalysisResult:
    """Check and aggregate a corpus in one go (the synchronous path)."""
    kb = checker.repository.get(kb_id)
    outcomes, vectors = check_posts(checker, kb_id, posts)
    return aggregate(kb, outcomes, vectors)
