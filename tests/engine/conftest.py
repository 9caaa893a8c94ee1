"""The matching engine is a library: its tests need neither the app nor a database."""

import pytest


@pytest.fixture(autouse=True)
def db():
    """Replaces the suite's autouse `db` fixture, which builds the app and cleans the database around each test."""
    return None
