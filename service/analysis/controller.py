"""Conversation analysis endpoints: synchronous for up to 1,000 posts, jobs beyond."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from knowledge_base.errors import InvalidInputError
from service.analysis.engine import analyse
from service.analysis.jobs import AnalysisJobs, JobInfo
from service.analysis.parsing import detect_post_format, named_post_format, parse_posts
from service.analysis.report import distortions_to_csv, render_report
from service.analysis.schemas import MAX_SYNC_POSTS, AnalysisRequest, AnalysisResult
from service.auth.keys import Role
from service.auth.middleware import requires
from service.check.checker import Checker
from service.limits import UPLOAD_OPT
from service.observability import Metrics
from service.openapi import bodies, errors


class AnalysisController(Controller):
    """Analyse a corpus of community posts against a knowledge base."""

    path = "/api/v1"
    tags = ["analyses"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    guards = [requires(Role.REVIEWER)]  # noqa: RUF012

    @post(
        "/knowledge-bases/{kb_id:str}/analyses",
        summary="Analyse posts (JSON, JSONL or CSV)",
        status_code=HTTP_200_OK,
        opt={UPLOAD_OPT: True},
        responses={
            HTTP_202_ACCEPTED: ResponseSpec(JobInfo, description="A job started: follow `Location`."),
            **errors(400, 404, 413, 422),
        },
        operation_class=bodies(request={"application/json": AnalysisRequest}, ok={"application/json": AnalysisResult}),
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        checker: Checker,
        jobs: AnalysisJobs,
        metrics: Metrics,
        kb_id: str,
        mode: Annotated[
            Literal["auto", "sync", "async"],
            Parameter(description="auto: answer now up to 1,000 posts, else start a job; async: always a job."),
        ] = "auto",
        format: Annotated[
            Literal["json", "jsonl", "csv"] | None,
            Parameter(description="The body's format when its content type does not name one; else detected."),
        ] = None,
    ) -> Response[Any]:
        """Posts as JSON (`{"posts": [...]}` or a list), JSONL or CSV with a `text` column and optional `id`,
        `author`, `timestamp`, `channel`, `likes`, `shares`, `views`. Up to 1,000 posts answer with the
        analysis (200); larger corpora (up to 100,000) or `mode=async` start a job (202 with its id)."""
        checker.repository.get(kb_id)  # 404 before reading a large body
        body = await request.body()
        content_type = request.headers.get("content-type")
        fmt = detect_post_format(content_type, None, body)
        if format is not None and not named_post_format(content_type):
            fmt = format
        posts = await to_thread.run_sync(parse_posts, body, fmt)
        if mode == "sync" and len(posts) > MAX_SYNC_POSTS:
            raise InvalidInputError(
                f"{len(posts)} posts; at most {MAX_SYNC_POSTS} are analysed synchronously, use mode=async",
                extra=[{"field": "posts", "message": f"more than {MAX_SYNC_POSTS} for mode=sync"}],
            )
        if mode == "async" or len(posts) > MAX_SYNC_POSTS:
            info = jobs.submit(kb_id, posts)
            return Response(info, status_code=HTTP_202_ACCEPTED, headers={"Location": f"/api/v1/analyses/{info.id}"})
        result = await to_thread.run_sync(analyse, checker, kb_id, posts)
        metrics.record_analysis(result)
        return Response(result, status_code=HTTP_200_OK)

    @get("/analyses", summary="List analysis jobs", sync_to_thread=False, responses=errors())
    def list_jobs(self, jobs: AnalysisJobs) -> list[JobInfo]:
        """Every analysis job, newest first."""
        return jobs.list_jobs()

    @get("/analyses/{job_id:str}", summary="Progress of an analysis job", sync_to_thread=False, responses=errors(404))
    def job(self, jobs: AnalysisJobs, job_id: str) -> JobInfo:
        """Status, posts done of total, and the estimated seconds left."""
        return jobs.get(job_id)

    @get(
        "/analyses/{job_id:str}/result",
        summary="Result of an analysis job",
        sync_to_thread=True,
        responses=errors(404, 409),
    )
    def result(self, jobs: AnalysisJobs, job_id: str) -> AnalysisResult:
        """The analysis; 409 while the job is queued or running, or if it failed or was cancelled."""
        return jobs.result(job_id)

    @get(
        "/analyses/{job_id:str}/report.html",
        summary="HTML report of an analysis job",
        sync_to_thread=True,
        media_type="text/html",
        responses=errors(404, 409),
    )
    def report(self, jobs: AnalysisJobs, job_id: str) -> Response[str]:
        """One self-contained HTML file with charts (no scripts, nothing fetched)."""
        html = render_report(jobs.result(job_id))
        return Response(
            html,
            headers={"Content-Disposition": f'attachment; filename="brandcheck-{job_id}.html"'},
        )

    @get(
        "/analyses/{job_id:str}/distortions.csv",
        summary="Distortions of an analysis as CSV",
        sync_to_thread=True,
        media_type="text/csv",
        responses=errors(404, 409),
    )
    def distortions_csv(self, jobs: AnalysisJobs, job_id: str) -> Response[str]:
        """The ranked distortion table (what to correct first) as CSV."""
        return Response(
            distortions_to_csv(jobs.result(job_id)),
            headers={"Content-Disposition": f'attachment; filename="brandcheck-{job_id}-distortions.csv"'},
        )

    @post(
        "/analyses/{job_id:str}/cancel",
        summary="Cancel an analysis job",
        status_code=HTTP_200_OK,
        sync_to_thread=False,
        responses=errors(404, 409),
    )
    def cancel(self, jobs: AnalysisJobs, job_id: str) -> JobInfo:
        """Stop a queued or running job; 409 if it has already finished."""
        return jobs.cancel(job_id)
