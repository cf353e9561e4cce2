"""The application factory: ``create_app(settings)``; no state is created at import time."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from anyio import to_thread
from litestar import Controller, Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from litestar.template.config import TemplateConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.analysis.controller import AnalysisController
from service.analysis.jobs import AnalysisJobs
from service.auth.controller import AuthController
from service.auth.keys import KeyRing
from service.auth.middleware import AuthMiddleware, principal_of
from service.auth.rate_limit import RateLimiter
from service.check.checker import Checker
from service.check.controller import CheckController
from service.decision_models.controller import DecisionModelController
from service.decision_models.service import DecisionModelService
from service.errors import error_response
from service.feedback.controller import FeedbackController, ReviewController
from service.feedback.review import ReviewService
from service.feedback.service import FeedbackService
from service.kb_admin.controller import KnowledgeBaseController
from service.kb_admin.service import KnowledgeBaseService
from service.limits import LimitsMiddleware
from service.observability import Metrics, RequestContextMiddleware
from service.openapi import DescribedJsonRenderPlugin, DescribedSwaggerRenderPlugin, DescribedYamlRenderPlugin
from service.options import AllowHeaderMiddleware
from service.resources import Resources, open_resources, seed_samples
from service.settings import Settings
from service.web.controller import LoginController, WebActionsController, WebController

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "web" / "templates"
logger = logging.getLogger("brandcheck")
# Litestar adds the charset to a text/* media type itself (twice, when it is there already).
METRICS_MEDIA_TYPE = CONTENT_TYPE_LATEST.split("; charset=")[0]


def _resources(state: State) -> Resources:
    resources: Resources = state.resources
    return resources


def _checker(state: State) -> Checker:
    return _resources(state).checker


def _jobs(state: State) -> AnalysisJobs:
    return _resources(state).jobs


def _kb_service(state: State, request: Request[Any, Any, Any]) -> KnowledgeBaseService:
    return KnowledgeBaseService(_resources(state).repository, principal_of(request))


def _review_service(state: State, request: Request[Any, Any, Any]) -> ReviewService:
    resources = _resources(state)
    return ReviewService(resources.jobs, resources.checker, principal_of(request))


def _feedback_service(state: State, request: Request[Any, Any, Any]) -> FeedbackService:
    return FeedbackService(_resources(state).repository, principal_of(request), _review_service(state, request))


def _decision_model_service(state: State, request: Request[Any, Any, Any]) -> DecisionModelService:
    resources = _resources(state)
    return DecisionModelService(resources.repository, resources.checker.decisions, principal_of(request))


def _keys(state: State) -> KeyRing:
    return _resources(state).keys


def _metrics(state: State) -> Metrics:
    metrics: Metrics = state.metrics
    return metrics


class OperationsController(Controller):
    """Liveness, readiness and metrics (a controller, so that each app gets its own handlers)."""

    path = "/"
    tags = ["operations"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get("/health", summary="Liveness")
    async def health(self) -> dict[str, str]:
        """The process is up (it may still be loading the model: see /ready)."""
        return {"status": "ok"}

    @get(
        "/ready",
        summary="Readiness",
        sync_to_thread=True,
        responses={503: ResponseSpec(dict[str, str], description="Still loading the model, or the store is down.")},
    )
    def ready(self, state: State) -> Response[dict[str, Any]]:
        """200 once the model is loaded and the store answers; 503 before, or when the store is unreachable."""
        resources: Resources | None = getattr(state, "resources", None)
        if resources is None:
            return Response({"status": "starting"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
        try:
            knowledge_bases = len(resources.repository.list_all())
            with_own = resources.repository.decision_models.with_own_model()
        except Exception as exc:
            logger.warning("readiness check failed: %s", exc)
            return Response({"status": "store unavailable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
        return Response(
            {
                "status": "ready",
                "model": resources.embedder.model_id,
                "store": "qdrant server" if resources.settings.qdrant_url else "embedded",
                "knowledge_bases": knowledge_bases,
                "decision": {
                    "shared": resources.checker.decisions.shared.version,
                    "knowledge_bases_with_own": with_own,
                },
            }
        )

    @get("/metrics", summary="Prometheus metrics", sync_to_thread=False, media_type=METRICS_MEDIA_TYPE)
    def metrics_endpoint(self, state: State) -> Response[bytes]:
        """Request counts and latency by route, posts checked, distortions found by kind, active jobs."""
        metrics: Metrics = state.metrics
        resources: Resources | None = getattr(state, "resources", None)
        if resources is not None:
            metrics.jobs_running.set(resources.jobs.active_count())
        return Response(generate_latest(metrics.registry))


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app. The model and the store are opened once in the lifespan and closed on shutdown."""
    settings = settings or Settings()
    metrics = Metrics.create()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        resources = await to_thread.run_sync(open_resources, settings)
        async with resources:
            app.state.resources = resources
            if settings.seed_samples:
                await to_thread.run_sync(seed_samples, resources.repository)
            resources.jobs.on_result = metrics.record_analysis
            resources.jobs.start()
            logger.info(
                "brandcheck ready: model %s (%d-d), store %s",
                resources.embedder.model_id,
                resources.embedder.dimension,
                settings.qdrant_url or settings.store_path,
            )
            if not resources.keys.enabled:
                logger.warning(
                    "no API keys configured: every caller is admin, so the server must listen on loopback only; "
                    "set BRANDCHECK_KEYS_FILE or BRANDCHECK_API_KEYS to serve others"
                )
            yield

    swagger = "/static/vendor/swagger-ui"
    openapi = OpenAPIConfig(
        title="brandcheck",
        version="1",
        description="Check community content against a brand's official facts and key messages.",
        path="/schema",
        render_plugins=[
            DescribedSwaggerRenderPlugin(
                path=["/", "/swagger"],
                js_url=f"{swagger}/swagger-ui-bundle.js",
                css_url=f"{swagger}/swagger-ui.css",
                standalone_preset_js_url=f"{swagger}/swagger-ui-standalone-preset.js",
                favicon="<link rel='icon' href='data:,'>",
            ),
            DescribedJsonRenderPlugin(),
            DescribedYamlRenderPlugin(),
        ],
    )
    dependencies: dict[str, Any] = {
        "resources": Provide(_resources, sync_to_thread=False),
        "kb_service": Provide(_kb_service, sync_to_thread=False),
        "feedback_service": Provide(_feedback_service, sync_to_thread=False),
        "review_service": Provide(_review_service, sync_to_thread=False),
        "decision_model_service": Provide(_decision_model_service, sync_to_thread=False),
        "checker": Provide(_checker, sync_to_thread=False),
        "jobs": Provide(_jobs, sync_to_thread=False),
        "keys": Provide(_keys, sync_to_thread=False),
        "metrics": Provide(_metrics, sync_to_thread=False),
    }
    secret = settings.secret_key.get_secret_value() if settings.secret_key else secrets.token_hex(32)
    session_secret = hashlib.sha256(b"brandcheck session\0" + secret.encode()).digest()
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    return Litestar(
        route_handlers=[
            OperationsController,
            AuthController,
            LoginController,
            KnowledgeBaseController,
            CheckController,
            AnalysisController,
            FeedbackController,
            ReviewController,
            DecisionModelController,
            WebController,
            WebActionsController,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        dependencies=dependencies,
        exception_handlers={Exception: error_response},
        lifespan=[lifespan],
        openapi_config=openapi,
        middleware=[
            RequestContextMiddleware(metrics),
            AuthMiddleware(lambda app: _resources(app.state).keys, limiter, session_secret),
            LimitsMiddleware(settings.max_body_bytes, settings.max_upload_bytes, settings.request_timeout),
            AllowHeaderMiddleware(),
        ],
        state=State({"settings": settings, "metrics": metrics, "session_secret": session_secret}),
        debug=False,
        logging_config=None,
        request_max_body_size=settings.max_upload_bytes,
        template_config=TemplateConfig(directory=TEMPLATE_DIR, engine=JinjaTemplateEngine),
        csrf_config=CSRFConfig(
            secret=secret,
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_samesite="strict",
            # The REST API is for programs (keys, not cookies); only the pages' own /ui posts need tokens.
            exclude=["/api/", "/schema", "/static/", "/health", "/ready", "/metrics"],
        ),
    )
