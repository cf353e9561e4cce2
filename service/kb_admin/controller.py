"""REST endpoints for knowledge bases and their items (thin: all logic is in the service)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.enums import MediaType
from litestar.params import Parameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from knowledge_base.models import KB_ID_PATTERN, KnowledgeBase, KnowledgeBaseContent
from service.auth.keys import Role
from service.auth.middleware import requires
from service.kb_admin.schemas import (
    AuditRecord,
    ItemChange,
    KnowledgeBaseCreate,
    KnowledgeBaseDocument,
    KnowledgeBaseSummary,
    SearchRequest,
    SearchResponse,
    Section,
)
from service.kb_admin.service import ImportMode, KnowledgeBaseService, detect_format
from service.limits import TIMEOUT_OPT, UPLOAD_OPT
from service.openapi import bodies, errors

ExpectedVersion = Annotated[
    int | None,
    QueryParameter(
        name="expected_version", ge=0, description="Fail with 409 unless the knowledge base is at this version."
    ),
]


class KnowledgeBaseController(Controller):
    """Create, read, replace, delete, import, export and search knowledge bases."""

    path = "/api/v1/knowledge-bases"
    tags = ["knowledge bases"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    guards = [requires(Role.REVIEWER)]  # noqa: RUF012 - reads; writes add their own guard

    @get("/", summary="List knowledge bases", sync_to_thread=True, responses=errors())
    def list_knowledge_bases(self, kb_service: KnowledgeBaseService) -> list[KnowledgeBaseSummary]:
        """Every knowledge base with its version and item counts."""
        return kb_service.list_summaries()

    @post(
        "/",
        summary="Create a knowledge base",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        guards=[requires(Role.ADMIN)],
        responses=errors(400, 403, 409, 413, 422),
    )
    def create_knowledge_base(self, kb_service: KnowledgeBaseService, data: KnowledgeBaseCreate) -> KnowledgeBase:
        """Create a knowledge base from the interchange format; 409 if the id is taken."""
        return kb_service.create(data)

    @post(
        "/import",
        summary="Import a knowledge base (YAML or kb.json), atomically",
        status_code=HTTP_200_OK,
        guards=[requires(Role.EDITOR)],
        opt={UPLOAD_OPT: True, TIMEOUT_OPT: 600},
        responses=errors(400, 403, 404, 409, 413, 422),
        operation_class=bodies(
            request={"application/json": KnowledgeBaseDocument, "application/yaml": KnowledgeBaseDocument}
        ),
    )
    async def import_knowledge_base(
        self,
        request: Request[Any, Any, Any],
        kb_service: KnowledgeBaseService,
        kb_id: Annotated[
            str | None,
            QueryParameter(
                name="id",
                pattern=KB_ID_PATTERN,
                description="Store it under this id; else the document's id, else "
                "one derived from its product or brand.",
            ),
        ] = None,
        mode: Annotated[
            ImportMode, Parameter(description="create (409 if it exists), replace (404 if not), or upsert.")
        ] = "upsert",
    ) -> KnowledgeBase:
        """Import a whole knowledge base from a YAML or JSON body. All or nothing: a failing import leaves
        the stored version untouched, and readers see either the old or the new version. Changing a knowledge
        base needs the editor role, creating one admin."""
        from anyio import to_thread

        body = await request.body()
        fmt = detect_format(request.headers.get("content-type"), body)
        return await to_thread.run_sync(lambda: kb_service.import_document(body, fmt, kb_id, mode))

    @get("/{kb_id:str}", summary="Get a knowledge base", sync_to_thread=True, responses=errors(404))
    def get_knowledge_base(self, kb_service: KnowledgeBaseService, kb_id: str) -> KnowledgeBase:
        """The live version of a knowledge base with all its items."""
        return kb_service.get(kb_id)

    @put(
        "/{kb_id:str}",
        summary="Create or replace a knowledge base",
        sync_to_thread=True,
        guards=[requires(Role.EDITOR)],
        opt={UPLOAD_OPT: True, TIMEOUT_OPT: 600},
        responses=errors(400, 403, 409, 413, 422),
    )
    def replace_knowledge_base(
        self,
        kb_service: KnowledgeBaseService,
        kb_id: str,
        data: KnowledgeBaseContent,
        expected_version: ExpectedVersion = None,
    ) -> KnowledgeBase:
        """Replace the whole knowledge base atomically (editor), or create it (admin)."""
        return kb_service.replace(kb_id, data, expected_version)

    @delete(
        "/{kb_id:str}",
        summary="Delete a knowledge base",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=True,
        guards=[requires(Role.ADMIN)],
        responses=errors(400, 403, 404, 409),
    )
    def delete_knowledge_base(
        self, kb_service: KnowledgeBaseService, kb_id: str, expected_version: ExpectedVersion = None
    ) -> None:
        """Delete a knowledge base and all its items."""
        kb_service.delete(kb_id, expected_version)

    @get(
        "/{kb_id:str}/export",
        summary="Export a knowledge base",
        sync_to_thread=True,
        responses=errors(400, 404),
        operation_class=bodies(
            ok={"application/json": KnowledgeBaseContent, "application/yaml; charset=utf-8": KnowledgeBaseDocument}
        ),
    )
    def export_knowledge_base(
        self,
        kb_service: KnowledgeBaseService,
        kb_id: str,
        format: Annotated[Literal["json", "yaml"], Parameter(description="json = kb.json interchange")] = "json",
    ) -> Response[str]:
        """The knowledge base as kb.json (the interchange format) or as authoring YAML."""
        body = kb_service.export(kb_id, format)
        media = MediaType.JSON if format == "json" else "application/yaml; charset=utf-8"
        filename = f"{kb_id}.{'json' if format == 'json' else 'yaml'}"
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @post(
        "/{kb_id:str}/search",
        summary="Nearest items for a text",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=errors(400, 404, 413),
    )
    def search_knowledge_base(
        self, kb_service: KnowledgeBaseService, kb_id: str, data: SearchRequest
    ) -> SearchResponse:
        """The items nearest a text (hybrid dense + lexical search), with their cosine and lexical scores."""
        return kb_service.search(kb_id, data)

    @get(
        "/{kb_id:str}/{section:str}",
        summary="List the items of a section",
        sync_to_thread=True,
        responses=errors(400, 404),
    )
    def list_items(self, kb_service: KnowledgeBaseService, kb_id: str, section: Section) -> list[dict[str, Any]]:
        """Every fact, key message, avoid-topic or prohibited claim of a knowledge base."""
        return kb_service.list_items(kb_id, section)

    @get(
        "/{kb_id:str}/audit",
        summary="Audit log of a knowledge base",
        sync_to_thread=True,
        guards=[requires(Role.EDITOR)],
        responses=errors(400, 403, 404),
    )
    def audit_log(
        self,
        kb_service: KnowledgeBaseService,
        kb_id: str,
        limit: Annotated[int, Parameter(ge=1, le=10_000, description="At most this many entries.")] = 100,
    ) -> list[AuditRecord]:
        """Who changed what and when, newest first, with the version each change produced (editor role)."""
        return kb_service.audit_log(kb_id, limit)

    @post(
        "/{kb_id:str}/{section:str}",
        summary="Add an item",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        guards=[requires(Role.EDITOR)],
        responses=errors(400, 403, 404, 409, 413, 422),
    )
    def add_item(
        self, kb_service: KnowledgeBaseService, kb_id: str, section: Section, data: dict[str, Any]
    ) -> ItemChange:
        """Add a fact, key message, avoid-topic or prohibited claim; bumps the version."""
        return kb_service.add_item(kb_id, section, data)

    @get(
        "/{kb_id:str}/{section:str}/{item_id:str}",
        summary="Get an item",
        sync_to_thread=True,
        responses=errors(400, 404),
    )
    def get_item(self, kb_service: KnowledgeBaseService, kb_id: str, section: Section, item_id: str) -> dict[str, Any]:
        """One item of a section."""
        return kb_service.get_item(kb_id, section, item_id)

    @put(
        "/{kb_id:str}/{section:str}/{item_id:str}",
        summary="Replace an item",
        sync_to_thread=True,
        guards=[requires(Role.EDITOR)],
        responses=errors(400, 403, 404, 413, 422),
    )
    def update_item(
        self, kb_service: KnowledgeBaseService, kb_id: str, section: Section, item_id: str, data: dict[str, Any]
    ) -> ItemChange:
        """Replace one item; bumps the version."""
        return kb_service.update_item(kb_id, section, item_id, data)

    @delete(
        "/{kb_id:str}/{section:str}/{item_id:str}",
        summary="Delete an item",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=True,
        guards=[requires(Role.EDITOR)],
        responses=errors(400, 403, 404),
    )
    def delete_item(self, kb_service: KnowledgeBaseService, kb_id: str, section: Section, item_id: str) -> None:
        """Delete one item; bumps the version."""
        kb_service.delete_item(kb_id, section, item_id)
