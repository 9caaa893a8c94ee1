"""In-app notifications (站内通知): stored as a kind with parameters and a target, rendered in the reader's language."""
