"""XiaoqiTong (校企通): the web product. `create_app()` builds it."""

from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from marketplace.config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    config = config or load_config()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    configure(app, config, overrides)
    register_http(app)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_listeners()
    return app


def register_listeners() -> None:
    from marketplace.rowcache import listeners

    listeners.install()


def configure(app: Flask, config: type[Config], overrides: dict) -> None:
    app.config.from_object(config)
    app.config["SECRET_KEY"] = config.secret_key()
    if hasattr(config, "database_uri"):
        app.config["SQLALCHEMY_DATABASE_URI"] = config.database_uri()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    app.config.update(overrides)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)


def engine_options(config) -> dict:
    """PostgreSQL sessions run without JIT compilation: the planner compiles the report queries (costed above
    jit_above_cost) and the compiling took a quarter of the outcomes query's second at alliance scale, for no gain on
    queries of this size. Set per connection (libpq options), so it holds for the web workers and the consumers."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        connect = dict(options.get("connect_args") or {})
        connect["options"] = " ".join(filter(None, [connect.get("options"), "-c jit=off"]))
        options["connect_args"] = connect
    return options


def register_http(app: Flask) -> None:
    from marketplace.http import register

    register(app)


def register_extensions(app: Flask) -> None:
    from marketplace import models  # noqa: F401  (every model registered before migrations look)
    from marketplace.auth.sessions import load_user
    from marketplace.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from marketplace.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.user_loader(load_user)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    limiter.init_app(app)


def register_converters(app: Flask) -> None:
    from marketplace.converters import register

    register(app)


def register_blueprints(app: Flask) -> None:
    from marketplace.alliances.views import bp as alliances_bp
    from marketplace.allocations.views import bp as allocations_bp
    from marketplace.analytics.views import bp as analytics_bp
    from marketplace.assets import bp as assets_bp
    from marketplace.auth.views import bp as auth_bp
    from marketplace.cohorts.views import bp as cohorts_bp
    from marketplace.destinations.student_views import bp as me_destination_bp
    from marketplace.destinations.views import bp as destinations_bp
    from marketplace.governance.views import bp as governance_bp
    from marketplace.grading.views import bp as grading_bp
    from marketplace.internships.views import bp as internships_bp
    from marketplace.jobs.views import bp as jobs_bp
    from marketplace.main.views import bp as main_bp
    from marketplace.notifications.views import bp as notifications_bp
    from marketplace.orgs.views import bp as orgs_bp
    from marketplace.permissions import keep_students_to_their_pages
    from marketplace.pipeline.views import bp as pipeline_bp
    from marketplace.plans.views import bp as plans_bp
    from marketplace.pools.views import bp as pools_bp
    from marketplace.practice.views import bp as practice_bp
    from marketplace.reports.views import bp as reports_bp
    from marketplace.risks.views import bp as risks_bp
    from marketplace.students.school_views import bp as students_bp
    from marketplace.students.views import bp as me_bp
    from marketplace.submissions.views import bp as submissions_bp

    blueprints = (
        main_bp, auth_bp, orgs_bp, alliances_bp, plans_bp, cohorts_bp, practice_bp, pipeline_bp, allocations_bp,
        assets_bp, analytics_bp, governance_bp, submissions_bp, pools_bp, notifications_bp, jobs_bp, internships_bp,
        me_bp, students_bp, grading_bp, risks_bp, destinations_bp, me_destination_bp, reports_bp,
    )  # fmt: skip
    for bp in blueprints:
        app.register_blueprint(bp)
    app.before_request(keep_students_to_their_pages)


def register_error_handlers(app: Flask) -> None:
    from marketplace.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from marketplace.alliances.models import Tier
    from marketplace.certificates import LEVEL_NAMES
    from marketplace.governance.labels import describe_rule
    from marketplace.i18n import choices, label
    from marketplace.plans.models import OpeningKind

    app.jinja_env.globals.update(
        describe_rule=describe_rule,
        label_tier=lambda value: label(Tier(value)),
        label=label,
        get_locale=get_locale,
        cert_level=LEVEL_NAMES.get,
        kind_choices=choices(OpeningKind),
    )
    app.jinja_env.filters["label"] = label


def register_commands(app: Flask) -> None:
    from marketplace.cli import register

    register(app)
