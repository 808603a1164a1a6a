"""Settings from environment variables (GEZINSREGIE_*), validated at start with a message
that names the variable that is missing or wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.periods import (
    DEFAULT_INACTIVITY_DAYS,
    DEFAULT_REOPEN_WINDOW_DAYS,
    DEFAULT_RETENTION_YEARS,
    CasePeriods,
)

ENV_PREFIX = "GEZINSREGIE_"


class SettingsError(Exception):
    """The environment does not describe a runnable configuration."""


class PeriodOverride(BaseSettings):
    reopen_window_days: int = Field(DEFAULT_REOPEN_WINDOW_DAYS, ge=0)
    inactivity_days: int = Field(DEFAULT_INACTIVITY_DAYS, ge=1)
    retention_years: int = Field(DEFAULT_RETENTION_YEARS, ge=DEFAULT_RETENTION_YEARS)


class Settings(BaseSettings):
    """Everything configurable. The embedded default needs none of it set."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    store: Literal["sqlite", "postgres"] = "sqlite"
    data_dir: Path = Path("var")
    postgres_host: str = "127.0.0.1"
    postgres_port: int = Field(5432, ge=1, le=65535)
    postgres_dbname: str = ""
    postgres_user: str = "postgres"
    postgres_password: SecretStr = SecretStr("")
    postgres_schema: str = Field("public", pattern=r"^[a-z_][a-z0-9_]*$")
    postgres_pool_size: int = Field(8, ge=1)
    create_tables: bool = Field(
        True,
        description="PostgreSQL: make the schema's tables when opening a store, if missing "
        "(off: they exist; a rebuild's partition processes open what their parent made)",
    )
    reopen_window_days: int = Field(DEFAULT_REOPEN_WINDOW_DAYS, ge=0)
    inactivity_days: int = Field(DEFAULT_INACTIVITY_DAYS, ge=1)
    retention_years: int = Field(
        DEFAULT_RETENTION_YEARS,
        ge=DEFAULT_RETENTION_YEARS,
        description="years a dossier is kept after the end of care (at least 20, Jeugdwet)",
    )
    periods_by_municipality: dict[str, PeriodOverride] = Field(default_factory=dict)
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: SecretStr = SecretStr("")
    key_encryption_key: SecretStr = Field(
        SecretStr(""),
        description="64 hex digits: wraps the data keys of personal data; on the embedded "
        "default kept in the data dir (created on first start); required with PostgreSQL",
    )
    previous_key_encryption_keys: list[SecretStr] = Field(
        default_factory=list,
        description="keys rotated out, still needed to read data keys not yet rewrapped",
    )
    jwt_public_key: str = ""
    jwt_jwks_url: str = ""
    jwt_issuer: str = "gezinsregie"
    jwt_audience: str = "gezinsregie"
    token_minutes: int = Field(8 * 60, ge=1, le=7 * 24 * 60)
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    case_cache_size: int = Field(1000, ge=0)
    """Cases kept in memory per process, so a command replays only what is new (0: none)."""
    opentelemetry: bool = False
    """FastAPI's own OpenTelemetry spans and metrics, for a process that configures a
    provider; off, FastAPI skips its check on every request (~3% of a request's time)."""
    wait_timeout_seconds: float = Field(5.0, gt=0, le=30)
    projections_in_process: bool | None = Field(
        None, description="run the projections inside the API process; default: on SQLite only"
    )
    caseload_norm_per_fte: int = Field(10, ge=1)
    coach_fte: dict[str, float] = Field(default_factory=dict)
    plan_due_days: int = Field(42, ge=1)
    referral_wait_days: int = Field(28, ge=1)
    closure_warning_days: int = Field(14, ge=0)
    erasure_warning_days: int = Field(
        21, ge=0, description="signal an erasure request this many days before its deadline"
    )
    report_timezone: str = Field(
        "Europe/Amsterdam", description="the local days and months that reports count in"
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="the API's address as partners reach it: notifications' dataref",
    )
    notification_source: str = Field("urn:nld:gezinsregie", pattern=r"^urn:[a-z0-9][a-z0-9-]*:\S+$")
    """The CloudEvents `source` of every notification (a URN, NL GOV profile)."""
    webhook_retry_days: float = Field(3.0, gt=0, le=30)
    """How long a subscriber that does not answer is retried before it is disabled."""
    session_secret: SecretStr = Field(
        SecretStr(""),
        description="signs the pages' session cookie; default: derived from the JWT secret",
    )
    oidc_issuer: str = Field(
        "", description="the identity provider's issuer URL: pages sign in with OpenID Connect"
    )
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    demo_sign_in: bool | None = Field(
        None, description="pages offer demo users to sign in as; default: on SQLite without OIDC"
    )

    @model_validator(mode="after")
    def _postgres_needs_a_database(self) -> Settings:
        if self.store == "postgres" and not self.postgres_dbname:
            raise ValueError(f"{ENV_PREFIX}POSTGRES_DBNAME is required when STORE=postgres")
        return self

    @model_validator(mode="after")
    def _rs256_needs_a_key(self) -> Settings:
        if self.jwt_algorithm == "RS256" and not (self.jwt_public_key or self.jwt_jwks_url):
            raise ValueError(
                f"{ENV_PREFIX}JWT_PUBLIC_KEY or {ENV_PREFIX}JWT_JWKS_URL is required with RS256"
            )
        return self

    @model_validator(mode="after")
    def _report_timezone_exists(self) -> Settings:
        try:
            ZoneInfo(self.report_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{ENV_PREFIX}REPORT_TIMEZONE: no time zone {self.report_timezone!r}"
            ) from None
        return self

    @property
    def offers_demo_sign_in(self) -> bool:
        if self.demo_sign_in is None:
            return self.store == "sqlite" and not self.oidc_issuer
        return self.demo_sign_in

    @property
    def runs_projections_in_process(self) -> bool:
        if self.projections_in_process is None:
            return self.store == "sqlite"
        return self.projections_in_process

    def fte_of(self, coach: str) -> float:
        return self.coach_fte.get(coach, 1.0)

    @property
    def shortest_inactivity_days(self) -> int:
        """The shortest inactivity period of any municipality: no case is due before it."""
        overrides = (p.inactivity_days for p in self.periods_by_municipality.values())
        return min([self.inactivity_days, *overrides])

    def periods_for(self, municipality: str) -> CasePeriods:
        """The 90-day periods are one municipality's policy: overridable per municipality."""
        override = self.periods_by_municipality.get(municipality)
        if override is not None:
            return CasePeriods(
                override.reopen_window_days, override.inactivity_days, override.retention_years
            )
        return CasePeriods(self.reopen_window_days, self.inactivity_days, self.retention_years)


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; on error say which variable and what is wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = "_".join(str(part) for part in item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{ENV_PREFIX}{field.upper()}: {message}" if field else message)
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
