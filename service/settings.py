"""Settings in one typed object, read from ``BRANDCHECK_*`` environment variables or a ``.env`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service can be told. Every field is also ``BRANDCHECK_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="BRANDCHECK_", env_file=".env", extra="ignore")

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
    search_limit_max: int = Field(50, ge=1, le=500)

    @property
    def store_path(self) -> Path:
        """The embedded store's directory."""
        return self.data_dir / "qdrant"
