"""Count the SQL statements a block of code sends: list pages must not grow with their rows (no N+1)."""

from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
