"""gunicorn's settings, read from this directory by `gunicorn wsgi:app`.

The app is loaded once, in the master, which keeps the ranking rows of every consenting student and open opening
(`marketplace.rowcache.store.prewarm`) before it forks its workers: each worker starts with those rows (shared
copy-on-write) instead of encoding them on its first ranking request, which at alliance scale took longer than the
30 s worker timeout and got the worker killed. Each worker then opens its own database connections.
"""

import gc
import time

preload_app = True


def when_ready(server):
    """In the master, after the app is loaded and before the first worker is forked."""
    from marketplace.rowcache import store

    app = server.app.wsgi()
    started = time.perf_counter()
    try:
        with app.app_context():
            kept = store.prewarm()
    except Exception:  # an unmigrated or unreachable database: serve anyway, each worker loads rows as asked
        server.log.exception("ranking rows not kept before forking")
        return
    if kept is not None:
        server.log.info("ranking rows kept in %.1f s: %d students, %d openings", time.perf_counter() - started,
                        len(kept.students.row_of), len(kept.openings.row_of))  # fmt: skip
    # The half million objects loaded before the fork, frozen: a worker's full collections skip them (each took about
    # 0.3 s) and do not write to their pages, which stay shared with the master.
    gc.freeze()


def post_fork(server, worker):
    """A forked worker must not share the master's pooled connections: drop them (without closing the master's)."""
    from marketplace.extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
