"""Shared fixtures: the real bundled model (loaded once) and real embedded stores in temp folders."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from litestar.testing import TestClient

from knowledge_base.embedding import DEFAULT_MODEL, SentenceEmbedder, load_embedding_model
from knowledge_base.lexical import LexicalEncoder
from knowledge_base.loading import parse_document
from knowledge_base.repository import KnowledgeBaseRepository
from knowledge_base.samples import sample_knowledge_bases
from knowledge_base.store import EdgeStore
from service.app import create_app
from service.auth.keys import hash_key
from service.check.checker import Checker
from service.check.profile import claim_texts
from service.settings import CheckThresholds, Settings


@pytest.fixture(scope="session")
def embedder() -> SentenceEmbedder:
    """The default multilingual model, as the service uses it."""
    return SentenceEmbedder(load_embedding_model(DEFAULT_MODEL), DEFAULT_MODEL)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh data dir and the embedded store."""
    return Settings(data_dir=tmp_path / "data", qdrant_url=None, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def repository(tmp_path: Path, embedder: SentenceEmbedder) -> Iterator[KnowledgeBaseRepository]:
    """A repository on a fresh embedded store."""
    store = EdgeStore(tmp_path / "store")
    repo = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
    repo.open()
    yield repo
    store.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """The real app (real model, real embedded store) with the sample knowledge bases loaded."""
    settings.seed_samples = True
    with TestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder) -> Iterator[Checker]:
    """A checker over a real embedded store holding the two sample knowledge bases."""
    store = EdgeStore(Path(tmp_path_factory.mktemp("checker")) / "store")
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
    repository.open()
    for kb in sample_knowledge_bases():
        repository.save(kb.id, kb.content)
    yield Checker(repository, embedder, CheckThresholds())
    store.close()


def with_knowledge_bases(checker: Checker, *documents: str) -> Checker:
    """``checker`` with the YAML knowledge bases ``documents`` saved to its store."""
    for document in documents:
        kb = parse_document(document, "yaml")
        checker.repository.save(kb.id, kb.content)
    return checker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """A real uvicorn server for ``settings`` on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, with the sample knowledge bases."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("web") / "data", seed_samples=True, _env_file=None)  # type: ignore[call-arg]
    with serve(settings) as url:
        yield url


# One key per role, as a deployment would configure them (only the SHA-256 goes into the settings).
TEST_KEYS = {role: f"bck_test_{role}_" + "x" * 32 for role in ("admin", "editor", "reviewer")}


def keyed_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings with an admin, an editor and a reviewer key (named alice, erin and rita)."""
    names = {"admin": "alice", "editor": "erin", "reviewer": "rita"}
    api_keys = json.dumps(
        [{"name": names[role], "role": role, "sha256": hash_key(key)} for role, key in TEST_KEYS.items()]
    )
    options: dict[str, object] = {"seed_samples": True, **overrides}
    return Settings(data_dir=data_dir, api_keys=api_keys, _env_file=None, **options)  # type: ignore[call-arg, arg-type]


@pytest.fixture(scope="module")
def keyed_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server that asks for keys (see ``TEST_KEYS``)."""
    with serve(keyed_settings(tmp_path_factory.mktemp("keyed") / "data")) as url:
        yield url
