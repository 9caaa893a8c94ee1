"""Configuration read from the environment: development, test and production."""

import os
import re
import secrets
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("XQT_INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))


class ConfigError(RuntimeError):
    """The configuration cannot be used: the message says what to set."""


def _proxy_count() -> int:
    raw = os.environ.get("XQT_PROXY_COUNT", "0").strip() or "0"
    if not raw.isdigit():
        raise ConfigError(f"XQT_PROXY_COUNT must be the number of proxies in front of the app (0, 1, ...), not {raw!r}")
    return int(raw)


# Strings people put in a key "for now"; a long word may sit anywhere in the key. A short one counts as a label at
# either end ("dev-…", "…_key"), or anywhere in a key written by hand (no digit): inside a generated key it is chance.
PLACEHOLDER_WORDS = ("changeme", "change-me", "secret", "password", "placeholder", "example", "insecure", "replace")
PLACEHOLDER_SHORT_WORDS = {"dev", "test", "key", "prod", "todo", "xxx", "admin", "default"}
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_DISTINCT = 8


def secret_key_weakness(key: str) -> str | None:
    """Why `key` is not fit to sign production sessions, or None. A generated key passes with overwhelming odds."""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"it is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < MIN_SECRET_KEY_DISTINCT:
        return f"it uses fewer than {MIN_SECRET_KEY_DISTINCT} distinct characters"
    lowered = key.lower()
    placeholder = next((word for word in PLACEHOLDER_WORDS if word in lowered), None)
    if placeholder is None:
        words = re.findall(r"[a-z]+", lowered) if not any(c.isdigit() for c in key) else []
        ends = re.findall(r"^([a-z]+)[-_.:]|[-_.:]([a-z]+)$", lowered)
        words += [w for pair in ends for w in pair if w]
        placeholder = next((w for w in words if w in PLACEHOLDER_SHORT_WORDS), None)
    if placeholder:
        return f"it contains the placeholder {placeholder!r}"
    return None


def _dev_secret_key(instance_dir: Path) -> str:
    """Generate the development key once into instance/ so sessions survive restarts."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    """Development defaults: embedded SQLite under instance/, a generated secret key."""

    ENV_NAME = "development"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'xiaoqitong.db'}")
    # A failing statement's parameters (phones, ID numbers, password hashes) stay out of exceptions and the log.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Logins are limited per client address and per account tried; a school's NAT shares one address, hence more.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute; 30 per hour")
    # Registration answers whether an email, mobile or credit code is known: limit it per address.
    SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "10 per hour")
    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (ProxyFix).
    PROXY_COUNT = _proxy_count()
    HSTS: str | None = None
    SESSION_COOKIE_HTTPONLY = True
    # Keep the engine's encoded rows per worker between requests, refreshed from the change log (rowcache.store).
    RANKING_ROWS_KEPT = os.environ.get("XQT_RANKING_ROWS_KEPT", "1") != "0"
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # argon2id parameters (OWASP: m=19 MiB, t=2, p=1 is the minimum).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1
    INVITATION_DAYS = 7
    STUDENT_INVITATION_DAYS = 30  # a class list goes out once; students open their links over weeks
    # Enterprises read students' evaluations only as aggregates of at least this many answers.
    EVALUATION_MIN_ANSWERS = 3
    # Risk warnings (实习风险预警): agreement and insurance from this many days before the start; no journal for this
    # many days; more absent days than this in a month; ended this many days ago without a final grade (looking back
    # no further than the last: older placements predate grading on the platform).
    RISK_START_WITHIN_DAYS = int(os.environ.get("RISK_START_WITHIN_DAYS", "14"))
    RISK_JOURNAL_GAP_DAYS = int(os.environ.get("RISK_JOURNAL_GAP_DAYS", "14"))
    RISK_ABSENT_DAYS = int(os.environ.get("RISK_ABSENT_DAYS", "3"))
    RISK_UNGRADED_AFTER_DAYS = int(os.environ.get("RISK_UNGRADED_AFTER_DAYS", "30"))
    RISK_UNGRADED_WITHIN_DAYS = int(os.environ.get("RISK_UNGRADED_WITHIN_DAYS", "180"))
    PER_PAGE = 30
    # Background jobs (huey): JOBS_URL=redis://… puts the queue on Redis, shared by consumers on any machine;
    # without it the queue is a SQLite file beside the database, for `make run` on one machine.
    JOBS_URL = os.environ.get("JOBS_URL") or None
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "xiaoqitong")
    JOBS_SQLITE_PATH = str(INSTANCE_DIR / "jobs.db")
    JOBS_IMMEDIATE = False  # run each job inside the request that enqueues it (the suite)
    # Uploaded cohort files between preview and commit: a directory every web machine shares (NFS …) when there are
    # several; by default `instance/cohort-imports/`.
    COHORT_IMPORT_DIR = os.environ.get("COHORT_IMPORT_DIR") or None
    # A cohort import saving more rows than this runs on the queue, with counts, instead of inside the request.
    JOBS_IMPORT_ROWS = int(os.environ.get("JOBS_IMPORT_ROWS", "2000"))
    # A job still queued or running this long after it was enqueued has lost its worker: it no longer blocks a new one.
    JOBS_LOST_AFTER_S = int(os.environ.get("JOBS_LOST_AFTER_S", "3600"))

    @classmethod
    def secret_key(cls) -> str:
        return os.environ.get("SECRET_KEY") or _dev_secret_key(INSTANCE_DIR)


class TestConfig(Config):
    """The suite: a database URL given by the test harness, cheap hashing, no CSRF unless a test asks."""

    ENV_NAME = "test"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "10 per minute"
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute"
    SIGNUP_RATE_LIMIT = "5 per minute"
    PROXY_COUNT = 0
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    JOBS_IMMEDIATE = True
    # Every test rolls its rows back or deletes them, so change-log ids repeat: build rows afresh per ranking.
    RANKING_ROWS_KEPT = False

    @classmethod
    def secret_key(cls) -> str:
        return secrets.token_hex(16)


class ProductionConfig(Config):
    """Production: DATABASE_URL and SECRET_KEY must come from the environment; cookies are Secure."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = "max-age=31536000; includeSubDomains"

    @classmethod
    def secret_key(cls) -> str:
        key = os.environ.get("SECRET_KEY", "")
        weakness = "it is not set" if not key else secret_key_weakness(key)
        if weakness:
            raise ConfigError(
                f"SECRET_KEY cannot be used in production: {weakness}. Generate a random one with "
                '`python -c "import secrets; print(secrets.token_hex(32))"` and export it as SECRET_KEY.'
            )
        return key

    @classmethod
    def database_uri(cls) -> str:
        url = os.environ.get("DATABASE_URL")
        if not url:
            raise ConfigError(
                "DATABASE_URL is not set. Production needs e.g. postgresql+psycopg://user:password@host:5432/xiaoqitong"
            )
        return url


CONFIGS = {"development": Config, "test": TestConfig, "production": ProductionConfig}


def load_config(name: str | None = None) -> type[Config]:
    """Pick the configuration class named by XQT_ENV (development by default)."""
    name = name or os.environ.get("XQT_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"XQT_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
