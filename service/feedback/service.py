"""Reviewers' feedback on verdicts: validated against the knowledge base, stored with who and when, listed,
summed up as agreement figures and exported as a labelled set."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge_base.errors import DomainError, InvalidInputError
from knowledge_base.models import KnowledgeBase
from knowledge_base.repository import AuditEntry, KnowledgeBaseRepository
from service.auth.keys import LOCAL_PRINCIPAL, Principal
from service.check.offsets import offset_table
from service.check.schemas import DistortionKind, OffsetUnit
from service.feedback.review import ReviewService
from service.feedback.schemas import (
    Agreement,
    DistortionMark,
    FactFigures,
    FeedbackEntry,
    FeedbackPage,
    FeedbackRequest,
    FeedbackSummary,
    Figures,
    FlaggedDistortion,
    ItemFigures,
    ItemMark,
    KindFigures,
    Label,
    ReviewerLabels,
    WeekFigures,
)

FieldErrors = list[dict[str, str]]
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class FeedbackFilter:
    """Which entries to list or count: by reviewer, by day given (UTC, inclusive), by kind, by agreement."""

    reviewer: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    kind: DistortionKind | None = None
    agreement: Agreement | None = None

    @classmethod
    def of(
        cls,
        reviewer: str | None = None,
        since: str | None = None,
        until: str | None = None,
        kind: DistortionKind | None = None,
        agreement: Agreement | None = None,
    ) -> FeedbackFilter:
        """The filter of a listing's query: days as YYYY-MM-DD (400 naming `from` or `to` otherwise; 422 for a
        period that ends before it starts)."""
        first, last = _day("from", since), _day("to", until)
        if first is not None and last is not None and last < first:
            raise InvalidInputError(
                f"the period ends ({last}) before it starts ({first})",
                extra=[{"field": "to", "message": "before `from`", "source": "query"}],
            )
        return cls(reviewer, first, last, kind, agreement)

    def __call__(self, entry: FeedbackEntry) -> bool:
        day = dt.datetime.fromisoformat(entry.at).date()
        return (
            (self.reviewer is None or entry.reviewer == self.reviewer)
            and (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
            and (self.kind is None or self.kind in entry.kinds)
            and (self.agreement is None or entry.agreed == (self.agreement is Agreement.AGREED))
        )


def _day(name: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            f"`{name}` must be a day written YYYY-MM-DD, not {value!r}",
            extra=[{"field": name, "message": "not a day written YYYY-MM-DD", "source": "query"}],
        ) from None


class _Validator:
    """Collects every problem of one feedback request, each naming its field."""

    def __init__(self, kb: KnowledgeBase, length: int) -> None:
        self.errors: FieldErrors = []
        self.length = length
        self.facts = {fact.id for fact in kb.facts}
        self.claims = {claim.id for claim in kb.prohibited_claims}
        self.messages = {message.id for message in kb.key_messages}
        self.topics = {topic.id for topic in kb.avoid_topics}

    def fail(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    def span(self, field: str, start: int, end: int) -> None:
        if start >= end:
            self.fail(f"{field}.start", f"start {start} is not before end {end}")
        if end > self.length:
            self.fail(f"{field}.end", f"end {end} is past the end of the text ({self.length} code points)")

    def label(self, field: str, kind: DistortionKind, fact_id: str | None) -> None:
        """A kind and the fact it names: a fact for numeric, usage and contradiction, a prohibited claim for
        prohibited, none for absolute."""
        if kind is DistortionKind.ABSOLUTE:
            if fact_id is not None:
                self.fail(field, "an absolute claim names no fact: leave it null")
        elif kind is DistortionKind.PROHIBITED:
            if fact_id not in self.claims:
                self.fail(field, _unknown("prohibited claim", fact_id))
        elif fact_id not in self.facts:
            self.fail(field, _unknown("fact", fact_id))


def _unknown(what: str, item_id: str | None) -> str:
    return f"a {what} is needed" if item_id is None else f"unknown {what} '{item_id}'"


def _to_codepoints(request: FeedbackRequest, validator: _Validator) -> FeedbackRequest:
    """The request with every span in code points (the web form counts UTF-16 units)."""
    if request.offsets is OffsetUnit.CODEPOINTS:
        return request
    position = {offset: index for index, offset in enumerate(offset_table(request.text, request.offsets))}

    def convert(field: str, start: int, end: int) -> tuple[int, int]:
        converted = []
        for name, value in (("start", start), ("end", end)):
            if value not in position:
                validator.fail(f"{field}.{name}", f"{value} is not a character boundary of the text")
            converted.append(position.get(value, 0))
        return converted[0], converted[1]

    distortions = []
    for number, flag in enumerate(request.verdict.distortions):
        start, end = convert(f"verdict.distortions[{number}]", flag.start, flag.end)
        distortions.append(flag.model_copy(update={"start": start, "end": end}))
    missed = []
    for number, added in enumerate(request.missed):
        start, end = convert(f"missed[{number}]", added.start, added.end)
        missed.append(added.model_copy(update={"start": start, "end": end}))
    verdict = request.verdict.model_copy(update={"distortions": distortions})
    return request.model_copy(update={"verdict": verdict, "missed": missed, "offsets": OffsetUnit.CODEPOINTS})


def _validate(kb: KnowledgeBase, request: FeedbackRequest) -> tuple[FeedbackRequest, ReviewerLabels]:
    """The request in code points and the reviewer's labels; InvalidInputError naming every bad field."""
    check = _Validator(kb, len(request.text))
    request = _to_codepoints(request, check)
    verdict = request.verdict
    if verdict.kb_version > kb.version:
        check.fail(
            "verdict.kb_version",
            f"knowledge base '{kb.id}' is at version {kb.version}; version {verdict.kb_version} does not exist",
        )
    for number, flag in enumerate(verdict.distortions):
        field = f"verdict.distortions[{number}]"
        check.span(field, flag.start, flag.end)
        check.label(f"{field}.fact_id", flag.kind, flag.fact_id)
    for number, message_id in enumerate(verdict.key_messages_carried):
        if message_id not in check.messages:
            check.fail(f"verdict.key_messages_carried[{number}]", _unknown("key message", message_id))
    for number, topic_id in enumerate(verdict.avoid_topics_touched):
        if topic_id not in check.topics:
            check.fail(f"verdict.avoid_topics_touched[{number}]", _unknown("avoid-topic", topic_id))
    if not (request.marks or request.missed or request.key_messages or request.avoid_topics):
        check.fail("marks", "nothing is marked: mark a flag, add a missed distortion or mark a message or topic")

    labels: list[Label] = []
    marked: set[int] = set()
    for number, mark in enumerate(request.marks):
        field = f"marks[{number}]"
        if mark.distortion >= len(verdict.distortions):
            check.fail(f"{field}.distortion", f"the verdict has no distortion {mark.distortion}")
            continue
        if mark.distortion in marked:
            check.fail(f"{field}.distortion", f"distortion {mark.distortion} is marked twice")
        marked.add(mark.distortion)
        flag = verdict.distortions[mark.distortion]
        relabelled = _relabel(mark, flag)
        if mark.right:
            if relabelled is not None:
                check.fail(f"{field}.kind", "a flag marked right keeps its kind and fact: mark it wrong to relabel")
            labels.append(Label(kind=flag.kind, fact_id=flag.fact_id, start=flag.start, end=flag.end))
        elif relabelled is not None:
            kind, fact_id = relabelled
            check.label(f"{field}.fact_id", kind, fact_id)
            if (kind, fact_id) == (flag.kind, flag.fact_id):
                check.fail(f"{field}.kind", "the same kind and fact as the flag: mark it right instead")
            labels.append(Label(kind=kind, fact_id=fact_id, start=flag.start, end=flag.end))
    for number, added in enumerate(request.missed):
        check.span(f"missed[{number}]", added.start, added.end)
        check.label(f"missed[{number}].fact_id", added.kind, added.fact_id)
        labels.append(Label(kind=added.kind, fact_id=added.fact_id, start=added.start, end=added.end))
    messages = _item_marks(check, "key_messages", request.key_messages, verdict.key_messages_carried)
    topics = _item_marks(check, "avoid_topics", request.avoid_topics, verdict.avoid_topics_touched)
    if check.errors:
        raise InvalidInputError(
            "invalid feedback: " + "; ".join(f"{e['field']}: {e['message']}" for e in check.errors[:5]),
            extra=check.errors,
        )
    labels.sort(key=lambda label: (label.start, label.end, label.kind.value))
    return request, ReviewerLabels(distortions=labels, key_messages=messages, avoid_topics=topics)


def _item_marks(check: _Validator, name: str, marks: list[ItemMark], reported: list[str]) -> list[str]:
    """Validate marks on carried messages or touched topics; the ids confirmed."""
    seen: set[str] = set()
    for number, mark in enumerate(marks):
        if mark.id not in reported:
            what = "carried" if name == "key_messages" else "touched"
            check.fail(f"{name}[{number}].id", f"'{mark.id}' is not {what} in the verdict")
        elif mark.id in seen:
            check.fail(f"{name}[{number}].id", f"'{mark.id}' is marked twice")
        seen.add(mark.id)
    return [mark.id for mark in marks if mark.right]


def _relabel(mark: DistortionMark, flag: FlaggedDistortion) -> tuple[DistortionKind, str | None] | None:
    """The kind and fact a mark gives a flag instead of its own, if it gives any."""
    fact_given = "fact_id" in mark.model_fields_set
    if mark.kind is None and not fact_given:
        return None
    kind = mark.kind or flag.kind
    if fact_given:
        return kind, mark.fact_id
    return kind, None if kind is DistortionKind.ABSOLUTE else flag.fact_id


def _agreed(request: FeedbackRequest) -> bool:
    return (
        not request.missed
        and all(mark.right for mark in request.marks)
        and all(mark.right for mark in [*request.key_messages, *request.avoid_topics])
    )


def _kinds(request: FeedbackRequest, labels: ReviewerLabels) -> list[DistortionKind]:
    marked = [request.verdict.distortions[mark.distortion].kind for mark in request.marks]
    found = {*marked, *(label.kind for label in labels.distortions)}
    return sorted(found, key=lambda kind: list(DistortionKind).index(kind))


# -- figures ------------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    marked: int = 0
    right: int = 0
    missed: int = 0

    def figures(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        return {
            "marked": self.marked,
            "right": self.right,
            "wrong": self.marked - self.right,
            "missed": self.missed,
            "agreement": share(self.right, self.marked + self.missed),
            "precision": share(self.right, self.marked),
            "recall": share(self.right, self.right + self.missed),
        }


def _tally_entry(entry: FeedbackEntry, add: Callable[[str, DistortionKind, str | None], None]) -> None:
    """Call ``add(what, kind, fact)`` for each judgement: a flag marked right or wrong, and each distortion the
    checker did not report as labelled (added, or the right label of a relabelled flag)."""
    for mark in entry.marks:
        flag = entry.verdict.distortions[mark.distortion]
        add("right" if mark.right else "wrong", flag.kind, flag.fact_id)
        relabelled = _relabel(mark, flag)
        if not mark.right and relabelled is not None:
            add("missed", *relabelled)
    for added in entry.missed:
        add("missed", added.kind, added.fact_id)


def summarise(kb_id: str, entries: Iterable[FeedbackEntry]) -> FeedbackSummary:
    """Agreement, precision and recall overall, per kind, per fact and per ISO week; confirmations of
    messages and topics."""
    overall = _Tally()
    kinds: dict[DistortionKind, _Tally] = defaultdict(_Tally)
    facts: dict[str | None, _Tally] = defaultdict(_Tally)
    weeks: dict[str, _Tally] = defaultdict(_Tally)
    week_entries: dict[str, int] = defaultdict(int)
    items: dict[str, dict[str, list[int]]] = {"key_messages": {}, "avoid_topics": {}}
    count = 0
    for entry in entries:
        count += 1
        year, week, _ = dt.datetime.fromisoformat(entry.at).isocalendar()
        label = f"{year}-W{week:02d}"
        week_entries[label] += 1

        def add(what: str, kind: DistortionKind, fact: str | None, week: str = label) -> None:
            for tally in (overall, kinds[kind], facts[fact], weeks[week]):
                if what == "missed":
                    tally.missed += 1
                else:
                    tally.marked += 1
                    tally.right += what == "right"

        _tally_entry(entry, add)
        for name, marks in (("key_messages", entry.key_messages), ("avoid_topics", entry.avoid_topics)):
            for mark in marks:
                counts = items[name].setdefault(mark.id, [0, 0])
                counts[0 if mark.right else 1] += 1
    kind_order = list(DistortionKind)
    return FeedbackSummary(
        kb_id=kb_id,
        entries=count,
        overall=Figures(**overall.figures()),
        by_kind=[KindFigures(kind=kind, **kinds[kind].figures()) for kind in sorted(kinds, key=kind_order.index)],
        by_fact=[FactFigures(fact_id=fact, **facts[fact].figures()) for fact in sorted(facts, key=lambda f: f or "")],
        key_messages=_item_figures(items["key_messages"]),
        avoid_topics=_item_figures(items["avoid_topics"]),
        weeks=[
            WeekFigures(week=week, entries=week_entries[week], **weeks[week].figures()) for week in sorted(week_entries)
        ],
    )


def _item_figures(counts: dict[str, list[int]]) -> list[ItemFigures]:
    return [
        ItemFigures(id=item, confirmed=yes, rejected=no, agreement=round(yes / (yes + no), 4))
        for item, (yes, no) in sorted(counts.items())
    ]


# -- the service --------------------------------------------------------------------------------------------


class FeedbackService:
    """What the API, the web form and the CLI do with feedback; raises domain errors, never HTTP ones."""

    def __init__(
        self,
        repository: KnowledgeBaseRepository,
        principal: Principal = LOCAL_PRINCIPAL,
        review: ReviewService | None = None,
    ) -> None:
        self.repository = repository
        self.principal = principal
        self.review = review

    def give(self, kb_id: str, request: FeedbackRequest) -> FeedbackEntry:
        """Validate and store one entry with its audit record; feedback on a post of a review queue moves the
        reviewer on in that queue."""
        kb = self.repository.get(kb_id)
        request, labels = _validate(kb, request)
        if request.source is not None and self.review is not None:
            self.review.check_source(kb_id, request.source)
        entry = FeedbackEntry(
            id=uuid.uuid4().hex[:16],
            kb_id=kb_id,
            kb_version=request.verdict.kb_version,
            at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            reviewer=self.principal.name,
            reviewer_key_id=self.principal.key_id,
            text=request.text,
            verdict=request.verdict,
            marks=request.marks,
            missed=request.missed,
            key_messages=request.key_messages,
            avoid_topics=request.avoid_topics,
            source=request.source,
            agreed=_agreed(request),
            kinds=_kinds(request, labels),
            labels=labels,
        )
        audit = AuditEntry(self.principal.name, "feedback", added=(f"feedback/{entry.id}",))
        payload = entry.model_dump(mode="json", exclude_unset=False)
        payload["marks"] = [mark.model_dump(mode="json", exclude_unset=True) for mark in entry.marks]
        self.repository.feedback.add(kb_id, entry.id, entry.kb_version, payload, audit)
        if request.source is not None and self.review is not None:
            self.review.reviewed(request.source)
        return entry

    def entries(self, kb_id: str, selected: FeedbackFilter | None = None) -> list[FeedbackEntry]:
        """The entries of a knowledge base matching ``selected``, newest first (404 for an unknown one)."""
        if not self.repository.exists(kb_id):
            self.repository.get(kb_id)  # the NotFoundError
        found = [FeedbackEntry.model_validate(raw) for raw in self.repository.feedback.list(kb_id)]
        found = [entry for entry in found if selected is None or selected(entry)]
        return sorted(found, key=lambda entry: (entry.at, entry.id), reverse=True)

    def list(self, kb_id: str, selected: FeedbackFilter, offset: int = 0, limit: int = 100) -> FeedbackPage:
        """A page of the matching entries, newest first."""
        found = self.entries(kb_id, selected)
        return FeedbackPage(total=len(found), offset=offset, limit=limit, entries=found[offset : offset + limit])

    def summary(self, kb_id: str, selected: FeedbackFilter | None = None) -> FeedbackSummary:
        """Agreement figures over the matching entries."""
        return summarise(kb_id, self.entries(kb_id, selected))

    def export(self, kb_id: str, out: Path) -> int:
        """Write the reviewed posts as a product folder of the shared/eval format (kb.json + cases.jsonl with
        the reviewers' labels; the latest entry of a text wins); returns the number of cases."""
        kb = self.repository.get(kb_id)
        latest: dict[str, FeedbackEntry] = {}
        for entry in reversed(self.entries(kb_id)):  # oldest first, so later entries replace earlier ones
            latest[entry.text] = entry
        out.mkdir(parents=True, exist_ok=True)
        (out / "kb.json").write_text(
            json.dumps(kb.content.to_interchange(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        lines = []
        for entry in sorted(latest.values(), key=lambda e: (e.at, e.id)):
            distortions: dict[tuple[str | None, str], None] = {}
            for label in entry.labels.distortions:
                distortions.setdefault((label.fact_id, label.kind.value), None)
            case = {
                "id": f"fb-{entry.id}",
                "text": entry.text,
                "distortions": [{"fact": fact, "kind": kind} for fact, kind in distortions],
                "messages": entry.labels.key_messages,
                "avoid": entry.labels.avoid_topics,
            }
            lines.append(json.dumps(case, ensure_ascii=False) + "\n")
        (out / "cases.jsonl").write_text("".join(lines), encoding="utf-8")
        return len(lines)
