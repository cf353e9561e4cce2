"""Client error paths that cannot be provoked against a real server: timeouts, 503 then success, 429, 5xx."""

from __future__ import annotations

import httpx
import pytest
from brandcheck_client import (
    APIConnectionError,
    APITimeoutError,
    BrandcheckClient,
    InternalServerError,
    PayloadTooLargeError,
    RateLimitError,
)

CHECK_BODY = {
    "kb_id": "k",
    "kb_version": 1,
    "lang": "en",
    "sentences": [],
    "distortions": [],
    "key_messages_carried": [],
    "key_messages_missed": [],
    "avoid_topics_touched": [],
    "consistency_score": 1.0,
    "corrected_text": "",
}


def client_with(handler: httpx.MockTransport, waits: list[float]) -> BrandcheckClient:
    http = httpx.Client(transport=handler, base_url="http://brandcheck.test")
    return BrandcheckClient(http_client=http, sleep=waits.append, max_retries=2)


def test_a_503_then_success_is_retried_for_check_but_not_for_create() -> None:
    answers = iter([httpx.Response(503), httpx.Response(200, json=CHECK_BODY)])
    waits: list[float] = []
    api = client_with(httpx.MockTransport(lambda request: next(answers)), waits)
    assert api.check("k", "hello").consistency_score == 1.0
    assert len(waits) == 1
    calls: list[httpx.Request] = []

    def always_503(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, json={"status_code": 503, "detail": "busy"})

    api = client_with(httpx.MockTransport(always_503), [])
    with pytest.raises(InternalServerError, match="busy"):
        api.create_knowledge_base({"brand": "b", "product": "p", "lang": "en"})
    assert len(calls) == 1


def test_429_honours_retry_after_then_gives_up_with_it() -> None:
    waits: list[float] = []
    api = client_with(
        httpx.MockTransport(
            lambda request: httpx.Response(429, headers={"retry-after": "7"}, json={"detail": "slow down"})
        ),
        waits,
    )
    with pytest.raises(RateLimitError) as limited:
        api.search("k", "x")
    assert waits == [7.0, 7.0] and limited.value.retry_after == 7.0


def test_timeouts_and_connection_errors_are_typed() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    waits: list[float] = []
    with pytest.raises(APITimeoutError):
        client_with(httpx.MockTransport(timeout), waits).get_knowledge_base("k")
    assert len(waits) == 2  # a read is retried before giving up

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(APIConnectionError):
        client_with(httpx.MockTransport(refused), []).add_item("k", "facts", {"id": "F1", "text": "t"})


def test_status_mapping() -> None:
    api = client_with(httpx.MockTransport(lambda request: httpx.Response(413, json={"detail": "too big"})), [])
    with pytest.raises(PayloadTooLargeError, match="too big"):
        api.check("k", "x" * 10)
    api = client_with(httpx.MockTransport(lambda request: httpx.Response(500, text="boom")), [])
    with pytest.raises(InternalServerError) as failed:
        api.list_knowledge_bases()
    assert failed.value.status_code == 500 and failed.value.detail == "boom"
