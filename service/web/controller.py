"""The reviewer web form: pages rendered here, behaviour in /static/app/app.js, data through /ui endpoints.

The /ui endpoints are what the pages post to (CSRF-protected, same origin); they call the same services
as the REST API. Every page response carries a strict Content-Security-Policy: scripts, styles and fonts
come from this app only, and user text is always inserted as text, never as markup.
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, post, put
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from knowledge_base.errors import InvalidInputError
from service.analysis.jobs import AnalysisJobs
from service.analysis.parsing import detect_post_format, parse_posts
from service.check.checker import Checker
from service.check.schemas import CheckRequest, CheckResponse
from service.knowledge_bases.schemas import ItemChange, Section
from service.knowledge_bases.service import KnowledgeBaseService

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _page(name: str, **context: Any) -> Template:
    return Template(
        template_name=name,
        context=context,
        headers=PAGE_HEADERS,
    )


class WebController(Controller):
    """Pages for content reviewers."""

    path = "/"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def check_page(self, kb_service: KnowledgeBaseService) -> Template:
        """Paste or upload content and see each distortion highlighted."""
        return _page("check.html", knowledge_bases=kb_service.list_summaries(), page="check")

    @get("/batch", sync_to_thread=True)
    def batch_page(self, kb_service: KnowledgeBaseService) -> Template:
        """Upload a file of posts and follow the analysis."""
        return _page("batch.html", knowledge_bases=kb_service.list_summaries(), page="batch")

    @get("/knowledge-bases", sync_to_thread=True)
    def knowledge_base_page(self, kb_service: KnowledgeBaseService) -> Template:
        """Browse (and edit) facts, key messages, avoid-topics and prohibited claims."""
        return _page("knowledge_bases.html", knowledge_bases=kb_service.list_summaries(), page="kb")


class WebActionsController(Controller):
    """What the pages post to: same-origin, CSRF-protected, JSON in and out."""

    path = "/ui"
    include_in_schema = False

    @post("/check/{kb_id:str}", status_code=HTTP_200_OK, sync_to_thread=True)
    def check(self, checker: Checker, kb_id: str, data: CheckRequest) -> CheckResponse:
        """Check a text for the check page."""
        return checker.check(kb_id, data.text, data.lang)

    @post("/analyses/{kb_id:str}", status_code=HTTP_202_ACCEPTED)
    async def analyse(
        self, request: Request[Any, Any, Any], checker: Checker, jobs: AnalysisJobs, kb_id: str
    ) -> Response[Any]:
        """Start an analysis job from an uploaded file (the raw body; its name in X-Filename)."""
        checker.repository.get(kb_id)
        body = await request.body()
        if not body.strip():
            raise InvalidInputError("the file is empty", extra=[{"field": "file", "message": "empty"}])
        fmt = detect_post_format(request.headers.get("content-type"), request.headers.get("x-filename"), body)
        posts = await to_thread.run_sync(parse_posts, body, fmt)
        return Response(jobs.submit(kb_id, posts), status_code=HTTP_202_ACCEPTED)

    @put("/knowledge-bases/{kb_id:str}/{section:str}/{item_id:str}", sync_to_thread=True)
    def update_item(
        self, kb_service: KnowledgeBaseService, kb_id: str, section: Section, item_id: str, data: dict[str, Any]
    ) -> ItemChange:
        """Edit one item from the knowledge-base page."""
        return kb_service.update_item(kb_id, section, item_id, data)
