"""Entry point for gunicorn and `flask`: `gunicorn -w 4 wsgi:app`."""

from marketplace import create_app

app = create_app()
