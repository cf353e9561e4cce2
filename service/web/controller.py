"""The reviewer web form: pages rendered here, behaviour in /static/app/app.js, data through /ui endpoints.

The /ui endpoints are what the pages post to (CSRF-protected, same origin); they call the same services
as the REST API. Every page response carries a strict Content-Security-Policy: scripts, styles and fonts
come from this app only, and user text is always inserted as text, never as markup.
"""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_303_SEE_OTHER
from pydantic import BaseModel

from knowledge_base.errors import InvalidInputError
from service.analysis.jobs import AnalysisJobs, JobInfo
from service.analysis.parsing import detect_post_format, parse_posts
from service.auth.keys import KeyRing, Principal, Role, hash_key
from service.auth.middleware import requires
from service.auth.sessions import SESSION_COOKIE, issue_session
from service.check.checker import Checker
from service.check.offsets import convert_response
from service.check.schemas import CheckRequest, CheckResponse, OffsetUnit
from service.feedback.review import ReviewService
from service.feedback.schemas import FeedbackEntry, FeedbackRequest, ReviewQueue, SkipRequest
from service.feedback.service import FeedbackService
from service.kb_admin.schemas import ItemChange, Section
from service.kb_admin.service import KnowledgeBaseService
from service.limits import UPLOAD_OPT
from service.observability import Metrics
from service.resources import Resources

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _page(request: Request[Any, Any, Any], name: str, status_code: int = 200, **context: Any) -> Template:
    keys: KeyRing = request.app.state.resources.keys
    principal = request.scope.get("user")  # None on the login page when keys are on
    can_edit = isinstance(principal, Principal) and principal.role >= Role.EDITOR
    return Template(
        template_name=name,
        context={"principal": principal, "auth_enabled": keys.enabled, "can_edit": can_edit} | context,
        headers=PAGE_HEADERS,
        status_code=status_code,
    )


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after logging in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class LoginForm(BaseModel):
    """The login form's fields."""

    key: str = ""
    next: str | None = None


class WebController(Controller):
    """Pages for content reviewers."""

    path = "/"
    include_in_schema = False
    guards = [requires(Role.REVIEWER)]  # noqa: RUF012

    @get("/", sync_to_thread=True)
    def check_page(self, request: Request[Any, Any, Any], kb_service: KnowledgeBaseService) -> Template:
        """Paste or upload content and see each distortion highlighted."""
        return _page(request, "check.html", knowledge_bases=kb_service.list_summaries(), page="check")

    @get("/batch", sync_to_thread=True)
    def batch_page(self, request: Request[Any, Any, Any], kb_service: KnowledgeBaseService) -> Template:
        """Upload a file of posts and follow the analysis."""
        return _page(request, "batch.html", knowledge_bases=kb_service.list_summaries(), page="batch")

    @get("/knowledge-bases", sync_to_thread=True)
    def knowledge_base_page(self, request: Request[Any, Any, Any], kb_service: KnowledgeBaseService) -> Template:
        """Browse (and edit) facts, key messages, avoid-topics and prohibited claims."""
        return _page(request, "knowledge_bases.html", knowledge_bases=kb_service.list_summaries(), page="kb")


class LoginController(Controller):
    """Log in to the pages with an API key; the session is a signed cookie (see service.auth.sessions)."""

    path = "/"
    include_in_schema = False

    @get("/login", sync_to_thread=False)
    def login_page(self, request: Request[Any, Any, Any], next: str | None = None) -> Template:
        """The login form."""
        return _page(request, "login.html", page="login", next=_safe_next(next), error=None)

    @post("/ui/login", status_code=HTTP_303_SEE_OTHER, sync_to_thread=True)
    def login(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        """Check the key; on success set the session cookie and go where the user was going."""
        resources: Resources = request.app.state.resources
        principal = resources.keys.authenticate(data.key.strip()) if data.key.strip() else None
        if principal is None:
            page = _page(
                request,
                "login.html",
                status_code=401,
                page="login",
                next=_safe_next(data.next),
                error="That key is not valid.",
            )
            return page
        settings = resources.settings
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=issue_session(
                request.app.state.session_secret, hash_key(data.key.strip()), settings.session_hours * 3600
            ),
            max_age=settings.session_hours * 3600,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return Redirect(_safe_next(data.next), status_code=HTTP_303_SEE_OTHER, cookies=[cookie])

    @post("/ui/logout", status_code=HTTP_303_SEE_OTHER, sync_to_thread=False)
    def logout(self) -> Redirect:
        """End the session."""
        return Redirect(
            "/login",
            status_code=HTTP_303_SEE_OTHER,
            cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")],
        )


class WebActionsController(Controller):
    """What the pages post to: same-origin, CSRF-protected, JSON in and out."""

    path = "/ui"
    include_in_schema = False
    guards = [requires(Role.REVIEWER)]  # noqa: RUF012

    @post("/check/{kb_id:str}", status_code=HTTP_200_OK, sync_to_thread=True)
    def check(self, checker: Checker, metrics: Metrics, kb_id: str, data: CheckRequest) -> CheckResponse:
        """Check a text for the check page (which asks for UTF-16 offsets: JavaScript's string indices)."""
        response = checker.check(kb_id, data.text, data.lang, data.min_confidence)
        metrics.record_check("web", [d.kind for d in response.distortions])
        return convert_response(response, data.text, data.offsets)

    @post("/feedback/{kb_id:str}", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def feedback(self, feedback_service: FeedbackService, kb_id: str, data: FeedbackRequest) -> FeedbackEntry:
        """Feedback on a verdict from the check page or the review queue (spans in UTF-16 units)."""
        return feedback_service.give(kb_id, data)

    @post("/analyses/{job_id:str}/review/skip", status_code=HTTP_200_OK, sync_to_thread=True)
    def skip(self, review_service: ReviewService, job_id: str, data: SkipRequest) -> ReviewQueue:
        """Skip a post of the batch page's review queue."""
        return review_service.skip(job_id, data.post_index, OffsetUnit.UTF16)

    @post("/analyses/{job_id:str}/cancel", status_code=HTTP_200_OK, sync_to_thread=False)
    def cancel(self, jobs: AnalysisJobs, job_id: str) -> JobInfo:
        """Cancel the batch page's running job."""
        return jobs.cancel(job_id)

    @post("/analyses/{kb_id:str}", status_code=HTTP_202_ACCEPTED, opt={UPLOAD_OPT: True})
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

    @put(
        "/knowledge-bases/{kb_id:str}/{section:str}/{item_id:str}", sync_to_thread=True, guards=[requires(Role.EDITOR)]
    )
    def update_item(
        self, kb_service: KnowledgeBaseService, kb_id: str, section: Section, item_id: str, data: dict[str, Any]
    ) -> ItemChange:
        """Edit one item from the knowledge-base page."""
        return kb_service.update_item(kb_id, section, item_id, data)
