"""Python client for brandcheck: knowledge bases, search, check and conversation analyses.

from brandcheck_client import BrandcheckClient

with BrandcheckClient("http://127.0.0.1:8000", api_key="...") as client:
    result = client.check("chengfeng-p5", "这个杯子容量有500毫升。")
    for distortion in result.distortions:
        print(distortion.kind, distortion.explanation, distortion.correction)
"""

from brandcheck_client._async_client import AsyncBrandcheckClient
from brandcheck_client._client import BrandcheckClient
from brandcheck_client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BrandcheckError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ValidationError,
)
from brandcheck_client.models import (
    AnalysisResult,
    ApiKey,
    AuditEntry,
    CheckResult,
    CreatedKey,
    DecisionModelInfo,
    DistortionMark,
    FeedbackEntry,
    FeedbackPage,
    FeedbackRequest,
    FeedbackSummary,
    FlaggedDistortion,
    ItemMark,
    Job,
    KnowledgeBase,
    KnowledgeBaseSummary,
    Me,
    MissedDistortion,
    ReviewQueue,
    ReviewSource,
    SearchResponse,
    VerdictRef,
)

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AnalysisResult",
    "ApiKey",
    "AsyncBrandcheckClient",
    "AuditEntry",
    "AuthenticationError",
    "BadRequestError",
    "BrandcheckClient",
    "BrandcheckError",
    "CheckResult",
    "ConflictError",
    "CreatedKey",
    "DecisionModelInfo",
    "DistortionMark",
    "FeedbackEntry",
    "FeedbackPage",
    "FeedbackRequest",
    "FeedbackSummary",
    "FlaggedDistortion",
    "InternalServerError",
    "ItemMark",
    "Job",
    "KnowledgeBase",
    "KnowledgeBaseSummary",
    "Me",
    "MissedDistortion",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReviewQueue",
    "ReviewSource",
    "SearchResponse",
    "ValidationError",
    "VerdictRef",
]
