"""Allocation runs: the secretariat's capacity-respecting proposal of who goes where, reviewed, then confirmed."""
