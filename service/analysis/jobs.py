"""Analysis jobs for large corpora: persisted in the data dir, checkpointed per batch, resumed on restart.

Layout of ``<data_dir>/jobs/<job id>/``:

- ``job.json``: status, progress and timestamps (replaced atomically);
- ``posts.jsonl``: the submitted posts;
- ``batch-00000.jsonl`` + ``batch-00000.npy``: per-batch outcomes and post vectors (each written to a
  temporary name and renamed, the vectors first, so a batch counts only when both are complete);
- ``result.json``: the finished analysis.

One worker thread runs jobs in order. A job that was queued or running when the process stopped is
resumed from its last complete batch on the next start (or marked cancelled, if a cancel was asked for);
one whose files are unreadable is marked failed.
"""

from __future__ import annotations

import datetime as dt
import enum
import fcntl
import io
import json
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from knowledge_base.errors import ConflictError, DomainError, NotFoundError
from service.analysis.engine import BATCH_POSTS, PostOutcome, Vectors, aggregate, check_posts
from service.analysis.schemas import AnalysisResult, Post
from service.check.checker import Checker

logger = logging.getLogger("brandcheck.jobs")


class JobStatus(enum.StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}


class JobInfo(BaseModel):
    """An analysis job and its progress."""

    id: str
    kb_id: str
    status: JobStatus
    done: int = Field(description="Posts checked so far.")
    total: int
    eta_seconds: float | None = Field(None, description="Estimated seconds left while running.")
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    resumed: int = Field(0, description="How many times the job was resumed after a restart.")
    error: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a unique temporary name, fsync, then rename over ``path`` (readers never see half a file)."""
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("wb") as sink:
        sink.write(data)
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(tmp, path)


class AnalysisJobs:
    """Submit, follow, cancel and read analysis jobs; owns the worker thread."""

    def __init__(self, root: Path, checker: Checker) -> None:
        self.root = root
        self.checker = checker
        self.root.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._cancelled: set[str] = set()
        self._lock = threading.RLock()
        self._rate: dict[str, tuple[float, int]] = {}  # job id -> (start time, posts done at start)
        self._worker: threading.Thread | None = None
        self._stopping = threading.Event()
        self.on_result: Callable[[AnalysisResult], None] | None = None  # e.g. metrics

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Requeue unfinished jobs and start the worker."""
        for info in sorted(self.list_jobs(), key=lambda job: job.created_at):
            if info.status in (JobStatus.QUEUED, JobStatus.RUNNING):
                if not (self._dir(info.id) / "posts.jsonl").exists():
                    self._save(
                        info.model_copy(
                            update={"status": JobStatus.FAILED, "error": "posts file missing", "finished_at": _now()}
                        )
                    )
                    continue
                if info.status is JobStatus.RUNNING:
                    info = info.model_copy(update={"status": JobStatus.QUEUED, "resumed": info.resumed + 1})
                    self._save(info)
                    logger.info("resuming analysis job %s at %d/%d posts", info.id, info.done, info.total)
                self._queue.put(info.id)
        self._worker = threading.Thread(target=self._run, name="analysis-jobs", daemon=True)
        self._worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current batch; a running job stays 'running' on disk and resumes on next start."""
        self._stopping.set()
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join(timeout)

    # -- API ----------------------------------------------------------------------------------------

    def submit(self, kb_id: str, posts: list[Post]) -> JobInfo:
        """Store the posts and queue the job."""
        job_id = uuid.uuid4().hex[:16]
        folder = self._dir(job_id)
        folder.mkdir(parents=True)
        lines = "".join(post.model_dump_json(exclude_none=True) + "\n" for post in posts)
        _write_atomically(folder / "posts.jsonl", lines.encode("utf-8"))
        info = JobInfo(id=job_id, kb_id=kb_id, status=JobStatus.QUEUED, done=0, total=len(posts), created_at=_now())
        self._save(info)
        self._queue.put(job_id)
        return info

    def get(self, job_id: str) -> JobInfo:
        """A job with its progress and ETA."""
        info = self._load(job_id)
        if info.status is JobStatus.RUNNING and job_id in self._rate:
            started, done_at_start = self._rate[job_id]
            rate = (info.done - done_at_start) / max(time.monotonic() - started, 1e-6)
            if rate > 0:
                info.eta_seconds = round((info.total - info.done) / rate, 1)
        return info

    def list_jobs(self) -> list[JobInfo]:
        """Every job, newest first."""
        jobs = []
        for folder in self.root.iterdir():
            if (folder / "job.json").exists():
                try:
                    jobs.append(self._load(folder.name))
                except NotFoundError:
                    continue
        return sorted(jobs, key=lambda job: job.created_at, reverse=True)

    def active_count(self) -> int:
        """Jobs queued or running."""
        return sum(job.status in (JobStatus.QUEUED, JobStatus.RUNNING) for job in self.list_jobs())

    def cancel(self, job_id: str) -> JobInfo:
        """Cancel a queued or running job (a finished one is left as it is: 409)."""
        with self._lock:
            info = self._load(job_id)
            if info.status in FINISHED:
                raise ConflictError(
                    f"analysis job '{job_id}' already {info.status.value}", extra={"status": info.status}
                )
            self._cancelled.add(job_id)
            (self._dir(job_id) / "cancel").touch()  # seen by whichever worker runs the job
            if info.status is JobStatus.QUEUED:
                info = info.model_copy(update={"status": JobStatus.CANCELLED, "finished_at": _now()})
                self._save(info)
            return info

    def result(self, job_id: str) -> AnalysisResult:
        """The analysis of a finished job (409 until it has succeeded)."""
        self._succeeded(job_id)
        return AnalysisResult.model_validate_json((self._dir(job_id) / "result.json").read_bytes())

    def outcomes(self, job_id: str) -> tuple[JobInfo, list[PostOutcome]]:
        """A finished job and what the check found in each of its posts (409 until it has succeeded)."""
        return self._succeeded(job_id), self._outcomes(job_id)

    def _succeeded(self, job_id: str) -> JobInfo:
        """A job that has succeeded; 409 while it is queued or running, or if it failed or was cancelled."""
        info = self._load(job_id)
        if info.status is not JobStatus.SUCCEEDED:
            raise ConflictError(
                f"analysis job '{job_id}' is {info.status.value}" + (f": {info.error}" if info.error else ""),
                extra={"status": info.status, "done": info.done, "total": info.total},
            )
        return info

    # -- storage ------------------------------------------------------------------------------------

    def _cancel_requested(self, job_id: str) -> bool:
        return job_id in self._cancelled or (self._dir(job_id) / "cancel").exists()

    def _dir(self, job_id: str) -> Path:
        if not job_id.isalnum():
            raise NotFoundError(f"analysis job '{job_id}' not found", extra={"job_id": job_id})
        return self.root / job_id

    def _load(self, job_id: str) -> JobInfo:
        path = self._dir(job_id) / "job.json"
        try:
            return JobInfo.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            raise NotFoundError(f"analysis job '{job_id}' not found", extra={"job_id": job_id}) from exc

    def _save(self, info: JobInfo) -> None:
        with self._lock:
            _write_atomically(self._dir(info.id) / "job.json", info.model_dump_json(indent=2).encode("utf-8"))

    def _batches(self, job_id: str) -> list[int]:
        """Numbers of the complete checkpointed batches, in order, stopping at the first gap."""
        folder = self._dir(job_id)
        numbers = []
        for expected, path in enumerate(sorted(folder.glob("batch-*.jsonl"))):
            number = int(path.stem.split("-")[1])
            if number != expected or not path.with_suffix(".npy").exists():
                break
            numbers.append(number)
        return numbers

    def _outcomes(self, job_id: str) -> list[PostOutcome]:
        """The checkpointed outcomes of a job's complete batches, in post order."""
        folder = self._dir(job_id)
        return [
            PostOutcome.from_json(json.loads(line))
            for batch in self._batches(job_id)
            for line in (folder / f"batch-{batch:05d}.jsonl").read_text("utf-8").splitlines()
        ]

    # -- worker -------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            job_id = self._queue.get()
            if job_id is None:
                break
            try:
                self._execute(job_id)
            except Exception as exc:  # a failed job is recorded, never lost, and the worker goes on
                logger.exception("analysis job %s failed", job_id)
                info = self._load(job_id)
                detail = exc.detail if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
                self._save(info.model_copy(update={"status": JobStatus.FAILED, "error": detail, "finished_at": _now()}))

    def _execute(self, job_id: str) -> None:
        folder = self._dir(job_id)
        # Several API workers may share the jobs folder: the one holding the lock runs the job. The kernel
        # drops the lock when its process dies, so a killed worker's job is resumed by the next to start.
        with (folder / ".lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            self._execute_locked(job_id, folder)

    def _execute_locked(self, job_id: str, folder: Path) -> None:
        info = self._load(job_id)
        if info.status is not JobStatus.QUEUED:
            return
        if self._cancel_requested(job_id):
            # Cancelled while running and the process stopped before the worker saw it: the restart requeued
            # it, so finish the cancel here rather than leave it queued for ever.
            self._save(info.model_copy(update={"status": JobStatus.CANCELLED, "finished_at": _now()}))
            return
        posts = [Post.model_validate_json(line) for line in (folder / "posts.jsonl").read_text("utf-8").splitlines()]
        complete = self._batches(job_id)
        start = len(complete) * BATCH_POSTS
        info = info.model_copy(
            update={
                "status": JobStatus.RUNNING,
                "done": min(start, len(posts)),
                "started_at": info.started_at or _now(),
            }
        )
        self._save(info)
        self._rate[job_id] = (time.monotonic(), info.done)
        number = len(complete)

        def checkpoint(outcomes: list[PostOutcome], vectors: Vectors) -> None:
            nonlocal number, info
            base = folder / f"batch-{number:05d}"
            buffer = io.BytesIO()
            np.save(buffer, vectors)
            _write_atomically(base.with_suffix(".npy"), buffer.getvalue())
            lines = "".join(json.dumps(o.to_json(), ensure_ascii=False) + "\n" for o in outcomes)
            _write_atomically(base.with_suffix(".jsonl"), lines.encode("utf-8"))
            number += 1
            info = info.model_copy(update={"done": info.done + len(outcomes)})
            self._save(info)

        def should_stop() -> bool:
            return self._cancel_requested(job_id) or self._stopping.is_set()

        check_posts(self.checker, info.kb_id, posts, start=start, on_batch=checkpoint, should_stop=should_stop)
        if self._cancel_requested(job_id):
            self._save(info.model_copy(update={"status": JobStatus.CANCELLED, "finished_at": _now()}))
            return
        if self._stopping.is_set() and info.done < info.total:
            return  # stays running on disk: resumed on the next start
        outcomes = self._outcomes(job_id)
        vectors = [np.load(folder / f"batch-{batch:05d}.npy") for batch in self._batches(job_id)]
        kb = self.checker.repository.get(info.kb_id)
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, self.checker.embedder.dimension), np.float32)
        result = aggregate(kb, outcomes, stacked)
        _write_atomically(folder / "result.json", result.model_dump_json().encode("utf-8"))
        self._save(
            info.model_copy(update={"status": JobStatus.SUCCEEDED, "done": len(outcomes), "finished_at": _now()})
        )
        self._rate.pop(job_id, None)
        if self.on_result is not None:
            self.on_result(result)
