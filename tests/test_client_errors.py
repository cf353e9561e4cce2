"""Client error paths that cannot be provoked against a real server: timeouts, 503 then success, 429, 5xx;
and no server at all (a closed port, a socket that never answers)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from brandcheck_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncBrandcheckClient,
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
    # The error is the last try's: its request, and (this server sends none) no request id.
    assert limited.value.request.url == "http://brandcheck.test/api/v1/knowledge-bases/k/search"
    assert limited.value.request_id is None
    assert str(limited.value) == (
        "429 Too Many Requests: slow down [POST http://brandcheck.test/api/v1/knowledge-bases/k/search, no request id]"
    )


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
    assert failed.value.message == "500 Internal Server Error: boom"
    answer = httpx.Response(503, headers={"x-request-id": "r-1"}, json={"detail": "busy"})
    api = client_with(httpx.MockTransport(lambda request: answer), [])
    with pytest.raises(InternalServerError) as busy:
        api.delete_item("k", "facts", "F1")
    assert busy.value.request_id == "r-1" and busy.value.request.method == "DELETE"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections (the kernel does) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def closed_port() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_no_answer_names_the_request_and_has_no_request_id(silent_server: str, closed_port: str) -> None:
    with BrandcheckClient(silent_server, timeout=0.2, max_retries=0) as api, pytest.raises(APITimeoutError) as slow:
        api.check("chengfeng-p5", "hello")
    url = f"{silent_server}/api/v1/knowledge-bases/chengfeng-p5/check"
    assert (slow.value.request.method, str(slow.value.request.url), slow.value.request_id) == ("POST", url, None)
    assert str(slow.value) == f"request timed out (ReadTimeout) [POST {url}, no request id]"

    with BrandcheckClient(closed_port, max_retries=0) as api, pytest.raises(APIConnectionError) as refused:
        api.me()
    assert not isinstance(refused.value, APITimeoutError)
    assert (refused.value.request.method, str(refused.value.request.url)) == ("GET", f"{closed_port}/api/v1/me")
    assert refused.value.request_id is None
    assert str(refused.value).startswith("connection failed (ConnectError: ")
    assert str(refused.value).endswith(f"[GET {closed_port}/api/v1/me, no request id]")


async def test_async_no_answer_names_the_request(silent_server: str, closed_port: str) -> None:
    async with AsyncBrandcheckClient(silent_server, timeout=0.2, max_retries=0) as api:
        with pytest.raises(APITimeoutError) as slow:
            await api.get_knowledge_base("chengfeng-p5")
    assert str(slow.value) == (
        f"request timed out (ReadTimeout) [GET {silent_server}/api/v1/knowledge-bases/chengfeng-p5, no request id]"
    )
    async with AsyncBrandcheckClient(closed_port, max_retries=0) as api:
        with pytest.raises(APIConnectionError) as refused:
            await api.list_knowledge_bases()
    assert refused.value.request_id is None
    assert str(refused.value).endswith(f"[GET {closed_port}/api/v1/knowledge-bases/, no request id]")
