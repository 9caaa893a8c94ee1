"""The consumer's entry point: `huey_consumer marketplace.jobs.worker.huey` builds the app from the environment
(XQT_ENV, DATABASE_URL, JOBS_URL …, as the web server does) and runs its tasks in it."""

from marketplace import create_app
from marketplace.jobs import queue

app = create_app()
huey = queue.bind(app)

# Every module that declares tasks, so that this consumer knows them (create_app imports the views' ones already).
from marketplace.allocations import jobs as _allocation_jobs  # noqa: E402, F401
from marketplace.analytics import jobs as _analytics_jobs  # noqa: E402, F401
from marketplace.cohorts import jobs as _cohort_jobs  # noqa: E402, F401
from marketplace.governance import jobs as _governance_jobs  # noqa: E402, F401
from marketplace.reports import jobs as _report_jobs  # noqa: E402, F401
from marketplace.risks import jobs as _risk_jobs  # noqa: E402, F401


@huey.on_startup()
def keep_ranking_rows() -> None:
    """Encode the ranking rows before the first job, so that an allocation reads them ready (`store.prewarm`)."""
    from marketplace.rowcache import store

    with app.app_context():
        store.prewarm()
