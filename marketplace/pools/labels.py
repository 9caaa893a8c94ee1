"""Translated labels for this feature's enum values: (member, lazy text) pairs, merged by marketplace.i18n."""

LABELS: list = []
