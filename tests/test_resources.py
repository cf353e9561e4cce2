"""The heavy resources over their lifetime: opened once at start-up, released at shutdown."""

from __future__ import annotations

import gc
import weakref

from litestar.testing import TestClient

from service.app import create_app
from service.resources import open_resources
from service.settings import Settings


def test_closed_resources_can_be_collected_and_their_store_reopened(settings: Settings) -> None:
    """Opening freezes what is loaded out of the garbage collector's traversals; closing must undo that,
    or a process that opens resources again (an embedding host, the tests) keeps every old set."""
    resources = open_resources(settings)
    checker = weakref.ref(resources.checker)  # the checker and its profile cache form a reference cycle
    resources.close()
    del resources
    gc.collect()
    assert checker() is None
    reopened = open_resources(settings)  # the embedded store's lock was released too
    try:
        assert reopened.repository.list_all() == []
    finally:
        reopened.close()


def test_a_stopped_app_can_be_collected(settings: Settings) -> None:
    """The app factory leaves no state behind: once an app has shut down and is dropped, nothing keeps it
    (module-level route handlers used to hold the last app they were registered with)."""
    with TestClient(app=create_app(settings)) as client:
        assert client.get("/ready").status_code == 200
        resources = weakref.ref(client.app.state.resources)
    del client
    gc.collect()
    assert resources() is None


def test_resources_are_closed_when_their_block_exits(settings: Settings) -> None:
    with open_resources(settings) as resources:
        assert resources.repository.list_all() == []
    with open_resources(settings) as reopened:  # the first block released the embedded store's lock
        assert reopened.repository.list_all() == []
