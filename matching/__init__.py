"""The matching engine of XiaoqiTong: fit scores, 同等条件下优先 as a ranking constraint, allocation.

A library: it imports neither Flask nor SQLAlchemy. It takes arrays and plain data classes and returns
results with their explanations; `marketplace` adapts database rows to it. The algorithms arrive with the
matching issue; this package fixes the boundary now.
"""

__all__: list[str] = []
