"""The one huey instance, configured from the app: SQLite in `instance/` by default (`make run`), Redis when
`JOBS_URL=redis://…` (consumers on any number of machines), in-process immediate mode in the suite.

Tasks are declared on `huey` at import; `configure(app)` points it at the app's storage before each use, so the
process that enqueues, the page that reads progress and the consumer (`marketplace.jobs.worker`) agree. A task finds
its app in the current app context (immediate mode, inside the request) or in the one `bind` recorded (a consumer).
"""

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

# Until configured the queue holds tasks in memory and runs them at once: importing the app touches no file or server.
huey = Huey("xiaoqitong", immediate=True)
_bound: Flask | None = None
_settings: tuple | None = None


def settings(app: Flask) -> tuple:
    config = app.config
    return (config["JOBS_QUEUE"], config.get("JOBS_URL"), config["JOBS_SQLITE_PATH"], bool(config["JOBS_IMMEDIATE"]))


def configure(app: Flask) -> Huey:
    """Point `huey` at this app's queue (a no-op when it already is)."""
    global _settings
    wanted = settings(app)
    if wanted == _settings:
        return huey
    name, url, path, immediate = wanted
    huey.name = name
    if url:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": url}
    else:
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
    huey.immediate = immediate
    huey.storage = huey.create_storage()  # in immediate mode huey's in-memory storage
    _settings = wanted
    return huey


def bind(app: Flask) -> Huey:
    """The consumer's app: tasks that run outside any app context use it."""
    global _bound
    _bound = app
    return configure(app)


def task_app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()
    if _bound is None:
        raise RuntimeError("no app for a background task: run the consumer on marketplace.jobs.worker.huey")
    return _bound
