"""The error every governance rule raises when the charter refuses a step."""


class GovernanceError(ValueError):
    """A step the charter refuses; the message is shown to the user."""
