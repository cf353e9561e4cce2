"""The calls both clients make: each is a method, a path, a body, whether it may be retried, and a parser."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from brandcheck_client.models import (
    AnalysisResult,
    ApiKey,
    AuditEntry,
    CheckResult,
    CreatedKey,
    DecisionModelInfo,
    DistortionKind,
    FeedbackEntry,
    FeedbackPage,
    FeedbackRequest,
    FeedbackSummary,
    ItemChange,
    Job,
    KnowledgeBase,
    KnowledgeBaseSummary,
    Me,
    OffsetUnit,
    ReviewQueue,
    SearchResponse,
)

T = TypeVar("T")
Day = dt.date | str
ReviewOrder = Literal["confidence", "reach"]
Section = Literal["facts", "key-messages", "avoid-topics", "prohibited-claims"]
API = "/api/v1"


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP call and how to read its answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, Any] | None = None
    json_body: Any = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool = True


def _model(model: type[BaseModel]) -> Callable[[httpx.Response], Any]:
    return lambda response: model.model_validate(response.json())


def _list_of(model: type[BaseModel]) -> Callable[[httpx.Response], Any]:
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
    return lambda response: adapter.validate_python(response.json())


def _nothing(response: httpx.Response) -> None:
    return None


def _kb(kb_id: str) -> str:
    return f"{API}/knowledge-bases/{quote(kb_id, safe='')}"


def _body(document: BaseModel | Mapping[str, Any]) -> Any:
    return document.model_dump(mode="json", exclude_none=True) if isinstance(document, BaseModel) else dict(document)


def _params(**values: Any) -> dict[str, Any]:
    """Query parameters without the ones not given; days (dates, or datetimes' dates) as YYYY-MM-DD."""
    days = {name: v.date() if isinstance(v, dt.datetime) else v for name, v in values.items() if v is not None}
    return {name: v.isoformat() if isinstance(v, dt.date) else v for name, v in days.items()}


def list_knowledge_bases() -> Call[list[KnowledgeBaseSummary]]:
    return Call("GET", f"{API}/knowledge-bases/", _list_of(KnowledgeBaseSummary))


def create_knowledge_base(document: BaseModel | Mapping[str, Any]) -> Call[KnowledgeBase]:
    return Call("POST", f"{API}/knowledge-bases/", _model(KnowledgeBase), json_body=_body(document), idempotent=False)


def get_knowledge_base(kb_id: str) -> Call[KnowledgeBase]:
    return Call("GET", _kb(kb_id), _model(KnowledgeBase))


def replace_knowledge_base(
    kb_id: str, content: BaseModel | Mapping[str, Any], expected_version: int | None
) -> Call[KnowledgeBase]:
    params = {"expected_version": expected_version} if expected_version is not None else None
    return Call("PUT", _kb(kb_id), _model(KnowledgeBase), params=params, json_body=_body(content))


def delete_knowledge_base(kb_id: str, expected_version: int | None) -> Call[None]:
    params = {"expected_version": expected_version} if expected_version is not None else None
    return Call("DELETE", _kb(kb_id), _nothing, params=params)


def import_knowledge_base(
    data: bytes | str | Path | Mapping[str, Any],
    fmt: Literal["yaml", "json"] | None,
    kb_id: str | None,
    mode: Literal["create", "replace", "upsert"],
) -> Call[KnowledgeBase]:
    if isinstance(data, Path):
        fmt = fmt or ("json" if data.suffix.lower() == ".json" else "yaml")
        payload = data.read_bytes()
    elif isinstance(data, Mapping):
        fmt, payload = "json", json.dumps(dict(data), ensure_ascii=False).encode("utf-8")
    else:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        fmt = fmt or ("json" if payload.lstrip()[:1] == b"{" else "yaml")
    params: dict[str, Any] = {"mode": mode}
    if kb_id is not None:
        params["id"] = kb_id
    headers = {"content-type": "application/json" if fmt == "json" else "application/yaml"}
    return Call(
        "POST",
        f"{API}/knowledge-bases/import",
        _model(KnowledgeBase),
        params=params,
        content=payload,
        headers=headers,
        idempotent=mode != "create",
    )


def export_knowledge_base(kb_id: str, fmt: Literal["json", "yaml"]) -> Call[str]:
    return Call("GET", f"{_kb(kb_id)}/export", lambda response: response.text, params={"format": fmt})


def list_items(kb_id: str, section: Section) -> Call[list[dict[str, Any]]]:
    return Call("GET", f"{_kb(kb_id)}/{section}", lambda response: list(response.json()))


def get_item(kb_id: str, section: Section, item_id: str) -> Call[dict[str, Any]]:
    return Call("GET", f"{_kb(kb_id)}/{section}/{quote(item_id, safe='')}", lambda response: dict(response.json()))


def add_item(kb_id: str, section: Section, item: Mapping[str, Any]) -> Call[ItemChange]:
    return Call("POST", f"{_kb(kb_id)}/{section}", _model(ItemChange), json_body=dict(item), idempotent=False)


def update_item(kb_id: str, section: Section, item_id: str, item: Mapping[str, Any]) -> Call[ItemChange]:
    path = f"{_kb(kb_id)}/{section}/{quote(item_id, safe='')}"
    return Call("PUT", path, _model(ItemChange), json_body=dict(item))


def delete_item(kb_id: str, section: Section, item_id: str) -> Call[None]:
    return Call("DELETE", f"{_kb(kb_id)}/{section}/{quote(item_id, safe='')}", _nothing)


def search(kb_id: str, text: str, limit: int, sections: Sequence[Section] | None) -> Call[SearchResponse]:
    body: dict[str, Any] = {"text": text, "limit": limit}
    if sections:
        body["sections"] = list(sections)
    return Call("POST", f"{_kb(kb_id)}/search", _model(SearchResponse), json_body=body)  # reads only: retried


def check(kb_id: str, text: str, lang: str | None, offsets: str | None = None) -> Call[CheckResult]:
    body: dict[str, Any] = {"text": text}
    if lang:
        body["lang"] = lang
    if offsets:
        body["offsets"] = offsets
    return Call("POST", f"{_kb(kb_id)}/check", _model(CheckResult), json_body=body)  # reads only: retried


def _job_or_result(response: httpx.Response) -> Job | AnalysisResult:
    if response.status_code == 202:
        return Job.model_validate(response.json())
    return AnalysisResult.model_validate(response.json())


def submit_analysis(
    kb_id: str, posts: Sequence[Mapping[str, Any]] | bytes | Path, mode: Literal["auto", "sync", "async"]
) -> Call[Job | AnalysisResult]:
    if isinstance(posts, Path):
        name = posts.name.lower()
        content_type = (
            "text/csv"
            if name.endswith(".csv")
            else "application/x-ndjson"
            if name.endswith(".jsonl")
            else "application/json"
        )
        return Call(
            "POST",
            f"{_kb(kb_id)}/analyses",
            _job_or_result,
            params={"mode": mode},
            content=posts.read_bytes(),
            headers={"content-type": content_type},
            idempotent=False,
        )
    if isinstance(posts, bytes):
        return Call(
            "POST", f"{_kb(kb_id)}/analyses", _job_or_result, params={"mode": mode}, content=posts, idempotent=False
        )
    return Call(
        "POST",
        f"{_kb(kb_id)}/analyses",
        _job_or_result,
        params={"mode": mode},
        json_body={"posts": [dict(post) for post in posts]},
        idempotent=False,
    )


def get_analysis(job_id: str) -> Call[Job]:
    return Call("GET", f"{API}/analyses/{quote(job_id, safe='')}", _model(Job))


def analysis_result(job_id: str) -> Call[AnalysisResult]:
    return Call("GET", f"{API}/analyses/{quote(job_id, safe='')}/result", _model(AnalysisResult))


def cancel_analysis(job_id: str) -> Call[Job]:
    return Call("POST", f"{API}/analyses/{quote(job_id, safe='')}/cancel", _model(Job), idempotent=True)


def give_feedback(kb_id: str, feedback: FeedbackRequest | Mapping[str, Any]) -> Call[FeedbackEntry]:
    # Only the fields set: an explicit fact_id=None (an absolute claim) is not the same as none given.
    body = feedback.model_dump(mode="json", exclude_unset=True) if isinstance(feedback, BaseModel) else dict(feedback)
    return Call("POST", f"{_kb(kb_id)}/feedback", _model(FeedbackEntry), json_body=body, idempotent=False)


def list_feedback(
    kb_id: str,
    reviewer: str | None,
    since: Day | None,
    until: Day | None,
    kind: DistortionKind | None,
    agreement: Literal["agreed", "disagreed"] | None,
    offset: int,
    limit: int,
) -> Call[FeedbackPage]:
    params = _params(
        reviewer=reviewer, kind=kind, agreement=agreement, offset=offset, limit=limit, **{"from": since, "to": until}
    )
    return Call("GET", f"{_kb(kb_id)}/feedback", _model(FeedbackPage), params=params)


def feedback_summary(kb_id: str, reviewer: str | None, since: Day | None, until: Day | None) -> Call[FeedbackSummary]:
    params = _params(reviewer=reviewer, **{"from": since, "to": until})
    return Call("GET", f"{_kb(kb_id)}/feedback/summary", _model(FeedbackSummary), params=params)


def _review(job_id: str) -> str:
    return f"{API}/analyses/{quote(job_id, safe='')}/review"


def review_queue(job_id: str, order: ReviewOrder | None, offsets: OffsetUnit | None) -> Call[ReviewQueue]:
    return Call("GET", _review(job_id), _model(ReviewQueue), params=_params(order=order, offsets=offsets))


def skip_review(job_id: str, post_index: int, offsets: OffsetUnit | None) -> Call[ReviewQueue]:
    # Skipping a post twice leaves it skipped: safe to retry.
    return Call(
        "POST",
        f"{_review(job_id)}/skip",
        _model(ReviewQueue),
        params=_params(offsets=offsets),
        json_body={"post_index": post_index},
    )


def decision_models(kb_id: str) -> Call[list[DecisionModelInfo]]:
    return Call("GET", f"{_kb(kb_id)}/decision-models", _list_of(DecisionModelInfo))


def activate_decision_model(kb_id: str, version: int) -> Call[DecisionModelInfo]:
    # Activating the active version again changes nothing: safe to retry.
    return Call("POST", f"{_kb(kb_id)}/decision-models/{version}/activate", _model(DecisionModelInfo))


def me() -> Call[Me]:
    return Call("GET", f"{API}/me", _model(Me))


def audit_log(kb_id: str | None, limit: int) -> Call[list[AuditEntry]]:
    if kb_id is not None:
        return Call("GET", f"{_kb(kb_id)}/audit", _list_of(AuditEntry), params={"limit": limit})
    return Call("GET", f"{API}/audit", _list_of(AuditEntry), params={"limit": limit})


def list_keys() -> Call[list[ApiKey]]:
    return Call("GET", f"{API}/keys", _list_of(ApiKey))


def create_key(name: str, role: str, rate_per_minute: int | None) -> Call[CreatedKey]:
    body: dict[str, Any] = {"name": name, "role": role}
    if rate_per_minute is not None:
        body["rate_per_minute"] = rate_per_minute
    return Call("POST", f"{API}/keys", _model(CreatedKey), json_body=body, idempotent=False)


def delete_key(key_id: str) -> Call[None]:
    return Call("DELETE", f"{API}/keys/{quote(key_id, safe='')}", _nothing)
