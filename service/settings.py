"""Settings in one typed object, read from ``BRANDCHECK_*`` environment variables or a ``.env`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CheckThresholds(BaseModel):
    """Proposal thresholds of the checker's mechanisms (docs/mechanisms.md); all are cosine similarities
    except the tolerances and weights. Override with e.g. ``BRANDCHECK_CHECK__PROHIBITED_MIN=0.55``."""

    fact_candidates: int = Field(8, ge=1, le=100, description="Facts retrieved per clause (hybrid search).")
    claim_floor: float = Field(0.20, description="Below this cosine a clause is not about a fact claim at all.")
    on_topic_min: float = Field(0.35, description="A sentence this close to a fact or message is on-topic.")
    numeric_shared_min: float = Field(
        0.5,
        description="When several claims measure the same dimension (several durations), a clause is compared "
        "with one only if they share a content word or their cosine reaches this.",
    )
    cross_lingual_margin: float = Field(
        0.1, description="Across languages, figures are compared with comparable claims this close to the best."
    )
    magnitude_weight: float = Field(
        0.05, description="Among such claims, prefer figures of similar size: minus this times |ln(ratio)|."
    )
    max_ratio: float = Field(50.0, ge=1, description="Figures further apart than this measure different things.")
    shape_weight: float = Field(
        0.1, description="Prefer a claim with as many comparable figures as the clause (10 min → 2 h)."
    )
    condition_weight: float = Field(
        0.1, description="Prefer a claim whose figure is of the condition the figure's clause names (quick wash)."
    )
    link_min: float = Field(
        0.45, description="A clause this close to a fact claim carries the key message resting on it..."
    )
    link_floor: float = Field(0.30, description="...or from this cosine, when they share a content word.")
    polarity_candidates: int = Field(
        1, ge=1, le=20, description="Nearest facts of a clause whose claims are weighed for a use or a contradiction."
    )
    nli_claims: int = Field(3, ge=0, le=20, description="Nearest claims of a clause read by the NLI head.")
    contradiction_coverage: float = Field(
        0.2,
        description="A contradiction is proposed when the fact claim contains this share of the clause's content "
        "terms (negation removed), each weighed by how distinctive it is in the knowledge base.",
    )
    cross_lingual_contradiction: float = Field(
        0.45,
        description="A clause in the other language than a claim it opposes is a contradiction candidate from this "
        "cosine, when no other claim is nearer (their words cannot be compared).",
    )
    contradiction_scope: float = Field(
        0.5,
        description="...or when the other side speaks of this weighted share of what the denying side's negation "
        "governs.",
    )
    usage_min: float = Field(0.22, description="Affirming a use its best claim forbids is proposed from this cosine.")
    rule_margin: float = Field(
        0.0,
        description="A rule of a fact (a use it forbids or requires) that is not the clause's best claim of the fact "
        "is still what the clause is about from this far below the best claim's cosine.",
    )
    prohibited_min: float = Field(0.50, description="Making a prohibited claim is proposed from this cosine...")
    prohibited_shared_min: float = Field(
        0.35, description="...or from this one when the clause uses a word of the claim that no fact or message uses."
    )
    message_floor: float = Field(
        0.25, description="A clause this close to a key message (or resting on its facts) is a candidate carrier."
    )
    avoid_min: float = Field(0.40, description="A sentence this close to an avoid-topic lists it among its matches.")
    avoid_floor: float = Field(
        0.15, description="A clause this close to an avoid-topic (or talking deals, for a price topic) is a candidate."
    )
    condition_margin: float = Field(
        0.04,
        description="A figure valid for another condition of the same fact is flagged only when the clause "
        "is about the wrong condition by at least this margin.",
    )
    lexical_weight: float = Field(0.35, ge=0, le=1, description="Weight of shared terms when picking a claim.")
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
    secret_key: SecretStr | None = Field(
        None,
        description="Signs the web form's CSRF tokens and login sessions; random per process when unset, so set "
        "it when running several workers (and to keep sessions across restarts).",
    )
    api_keys: str | None = Field(
        None,
        description='API keys as a JSON list of {"name", "role", "sha256"}; role is reviewer, editor or admin. '
        "Only the SHA-256 of each key is configured (`brandcheck keys hash`).",
    )
    keys_file: Path | None = Field(
        None, description="A YAML/JSON file of keys, {keys: [{name, role, sha256}]} (`brandcheck keys create`)."
    )
    session_hours: int = Field(12, ge=1, le=24 * 30, description="How long a web-form login lasts.")
    rate_limit_per_minute: int = Field(
        600, ge=1, description="Requests a minute per key (token bucket, per worker); a key may override it."
    )
    rate_limit_burst: int = Field(60, ge=1, description="Requests a key may make at once before the rate applies.")
    request_timeout: float = Field(
        60.0, gt=0, description="Seconds before a request is answered 503 (imports and replaces get 600)."
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest JSON request body (checks, item edits); larger is a 413."
    )
    max_upload_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Largest upload: knowledge-base imports and analysis files."
    )
    log_format: Literal["json", "text"] = Field("json", description="Log lines as JSON objects or as text.")
    check: CheckThresholds = Field(default_factory=CheckThresholds)
    decision_model: Path | None = Field(
        None, description="The fitted decision (JSON from `brandcheck train`); unset = the one shipped."
    )
    min_confidence: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Report only verdicts at least this confident (a request's min_confidence overrides it); "
        "unset = the thresholds fitted with the decision.",
    )

    @property
    def store_path(self) -> Path:
        """The embedded store's directory."""
        return self.data_dir / "qdrant"
