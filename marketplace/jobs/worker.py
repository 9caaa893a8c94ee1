"""The consumer's entry point: `huey_consumer marketplace.jobs.worker.huey` builds the app from the environment
(XQT_ENV, DATABASE_URL, JOBS_URL …, as the web server does) and runs its tasks in it."""

from marketplace import create_app
from marketplace.jobs import queue

app = create_app()
huey = queue.bind(app)
