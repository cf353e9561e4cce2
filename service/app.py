"""The application factory: ``create_app(settings)``; no state is created at import time."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from anyio import to_thread
from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from knowledge_base.errors import DomainError
from service.analysis.controller import AnalysisController
from service.analysis.jobs import AnalysisJobs
from service.check.checker import Checker
from service.check.controller import CheckController
from service.errors import domain_error_handler, undecodable_body_handler
from service.knowledge_bases.controller import KnowledgeBaseController
from service.knowledge_bases.service import KnowledgeBaseService
from service.resources import Resources, open_resources, seed_samples
from service.settings import Settings
from service.web.controller import WebActionsController, WebController

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "web" / "templates"
logger = logging.getLogger("brandcheck")


def _resources(state: State) -> Resources:
    resources: Resources = state.resources
    return resources


def _checker(state: State) -> Checker:
    return _resources(state).checker


def _jobs(state: State) -> AnalysisJobs:
    return _resources(state).jobs


def _kb_service(state: State) -> KnowledgeBaseService:
    return KnowledgeBaseService(_resources(state).repository)


@get("/health", summary="Liveness", tags=["operations"], include_in_schema=True)
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app. The model and the store are opened once in the lifespan and closed on shutdown."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        resources = await to_thread.run_sync(open_resources, settings)
        app.state.resources = resources
        try:
            if settings.seed_samples:
                await to_thread.run_sync(seed_samples, resources.repository)
            resources.jobs.start()
            logger.info(
                "brandcheck ready: model %s (%d-d), store %s",
                resources.embedder.model_id,
                resources.embedder.dimension,
                settings.qdrant_url or settings.store_path,
            )
            yield
        finally:
            await to_thread.run_sync(resources.close)

    swagger = "/static/vendor/swagger-ui"
    openapi = OpenAPIConfig(
        title="brandcheck",
        version="1",
        description="Check community content against a brand's official facts and key messages.",
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(
                path=["/", "/swagger"],
                js_url=f"{swagger}/swagger-ui-bundle.js",
                css_url=f"{swagger}/swagger-ui.css",
                standalone_preset_js_url=f"{swagger}/swagger-ui-standalone-preset.js",
                favicon="<link rel='icon' href='data:,'>",
            ),
            JsonRenderPlugin(),
            YamlRenderPlugin(),
        ],
    )
    dependencies: dict[str, Any] = {
        "resources": Provide(_resources, sync_to_thread=False),
        "kb_service": Provide(_kb_service, sync_to_thread=False),
        "checker": Provide(_checker, sync_to_thread=False),
        "jobs": Provide(_jobs, sync_to_thread=False),
    }
    return Litestar(
        route_handlers=[
            health,
            KnowledgeBaseController,
            CheckController,
            AnalysisController,
            WebController,
            WebActionsController,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        dependencies=dependencies,
        exception_handlers={DomainError: domain_error_handler, UnicodeDecodeError: undecodable_body_handler},
        lifespan=[lifespan],
        openapi_config=openapi,
        state=State({"settings": settings}),
        debug=False,
        request_max_body_size=settings.max_body_bytes,
        template_config=TemplateConfig(directory=TEMPLATE_DIR, engine=JinjaTemplateEngine),
        csrf_config=CSRFConfig(
            secret=settings.csrf_secret.get_secret_value() if settings.csrf_secret else secrets.token_hex(32),
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_samesite="strict",
            # The REST API is for programs (keys, not cookies); only the pages' own /ui posts need tokens.
            exclude=["/api/", "/schema", "/static/", "/health"],
        ),
    )
