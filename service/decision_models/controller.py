"""A knowledge base's own decision models: list and activate (thin: the logic is in the service; fitting one
is `brandcheck train --kb`, which takes minutes)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.status_codes import HTTP_200_OK

from service.auth.keys import Role
from service.auth.middleware import requires
from service.decision_models.schemas import DecisionModelInfo
from service.decision_models.service import DecisionModelService
from service.openapi import errors


class DecisionModelController(Controller):
    """The versions of a knowledge base's decision model, fitted on its reviewers' feedback."""

    path = "/api/v1/knowledge-bases/{kb_id:str}/decision-models"
    tags = ["decision models"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    guards = [requires(Role.EDITOR)]  # noqa: RUF012

    @get("/", summary="List a knowledge base's decision models", sync_to_thread=True, responses=errors(403, 404))
    def list_decision_models(self, decision_model_service: DecisionModelService, kb_id: str) -> list[DecisionModelInfo]:
        """Every version, oldest first, and which one checks use (none active, or an empty list: the shared
        model)."""
        return decision_model_service.list(kb_id)

    @post(
        "/{version:int}/activate",
        summary="Activate a version of a knowledge base's decision model",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=errors(403, 404),
    )
    def activate_decision_model(
        self, decision_model_service: DecisionModelService, kb_id: str, version: int
    ) -> DecisionModelInfo:
        """Checks and analyses of the knowledge base use this version from now on (rolling back is activating
        an earlier one); written to the audit log."""
        return decision_model_service.activate(kb_id, version)
