"""The matching engine of XiaoqiTong: fit scores, 同等条件下优先 as a ranking constraint, allocation.

A library: it imports neither Flask nor SQLAlchemy. It takes arrays and plain data classes and returns
results with their explanations; `marketplace.ranking` adapts database rows to it.

- `model`: the plain data (graduates, openings, catalogues, weights).
- `features`: the explainable features and their encoding as one sparse product.
- `priority`: the priority rule, the places it decided, and its audit.
- `ranking`: top-k both ways, one row exactly or every row at once.
- `allocation`: student-proposing deferred acceptance with capacities.
- `occupations`: occupation suggestions for typed opening titles.
- `weights`: weights proposed from accepted and rejected nominations.
"""

__all__ = ["suggest_occupations"]


def __getattr__(name: str):
    # Lazy, so that importing matching.allocation does not load scikit-learn and the classification.
    if name == "suggest_occupations":
        from matching.occupations import suggest_occupations

        return suggest_occupations
    raise AttributeError(name)
