"""The error every governance rule raises when the charter refuses a step."""

from marketplace.refusals import Refusal


class GovernanceError(Refusal):
    """A step the charter refuses; the message is shown to the user."""
