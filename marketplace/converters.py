"""URL converters: ids in URLs are database integers, so a number past the column's range is a missing page."""

from werkzeug.routing import IntegerConverter

# INTEGER on both databases is 32-bit signed; PostgreSQL raises on a larger bound parameter (a 500 before).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` that matches only 0 … 2³¹−1: a larger number is answered 404 by routing, not by the database."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (Werkzeug's parameter name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
