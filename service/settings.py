"""Settings in one typed object, read from ``BRANDCHECK_*`` environment variables or a ``.env`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CheckThresholds(BaseModel):
    """Thresholds of the checker, calibrated on labelled data (see README); all are cosine similarities
    except the tolerances and weights. Override with e.g. ``BRANDCHECK_CHECK__MESSAGE_DIRECT=0.55``."""

    fact_candidates: int = Field(8, ge=1, le=100, description="Facts retrieved per clause (hybrid search).")
    claim_min: float = Field(0.40, description="A clause is about a fact claim from this score.")
    numeric_min: float = Field(0.40, description="Compare figures only with a claim scoring at least this.")
    contradiction_min: float = Field(0.55, description="Opposite polarity counts from this score.")
    contradiction_strong: float = Field(0.75, description="Opposite polarity counts without a shared term.")
    usage_min: float = Field(0.50, description="Affirming a forbidden use counts from this score.")
    prohibited_min: float = Field(0.52, description="Making a prohibited claim counts from this score.")
    message_direct: float = Field(0.50, description="A clause this close to a key message carries it.")
    avoid_min: float = Field(0.40, description="A clause this close to an avoid-topic touches it.")
    condition_margin: float = Field(
        0.04,
        description="A figure valid for another condition of the same fact is flagged only when the clause "
        "is about the wrong condition by at least this margin.",
    )
    lexical_weight: float = Field(0.15, ge=0, le=1, description="Weight of shared terms when picking a claim.")
    rel_tolerance: float = Field(0.05, ge=0, le=1, description="Relative tolerance when comparing figures.")


class Settings(BaseSettings):
    """Everything the service can be told. Every field is also ``BRANDCHECK_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="BRANDCHECK_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    data_dir: Path = Field(Path("data"), description="Where the embedded store and jobs live.")
    model: str = Field(
        "multilingual-use",
        description="Embedding model: 'multilingual-use' (bundled), a sentence-transformers model folder or a "
        "model name already in the local Hugging Face cache.",
    )
    qdrant_url: str | None = Field(None, description="Qdrant server or cluster URL; unset = embedded store.")
    qdrant_api_key: SecretStr | None = None
    qdrant_timeout: float = Field(10.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    seed_samples: bool = Field(
        False, description="Load the bundled sample knowledge bases the first time the store is created."
    )
    encode_batch_size: int = Field(64, ge=1, le=4096)
    check: CheckThresholds = Field(default_factory=CheckThresholds)

    @property
    def store_path(self) -> Path:
        """The embedded store's directory."""
        return self.data_dir / "qdrant"
