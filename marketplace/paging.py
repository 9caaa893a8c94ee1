"""Pages of rows already in memory, with what Bootstrap-Flask's `render_pagination` macro reads."""

from collections.abc import Sequence

from flask_sqlalchemy.pagination import Pagination


class ListPage(Pagination):
    """A page of `rows` (a page past the end: the last one)."""

    def __init__(self, rows: Sequence, page: int, per_page: int):
        self._rows = rows
        last = max(1, -(-len(rows) // per_page))
        super().__init__(page=min(max(page, 1), last), per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        return list(self._rows[self._query_offset : self._query_offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._rows)
