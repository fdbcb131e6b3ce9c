"""The one error the document writers raise."""


class DocumentError(ValueError):
    """A record or wording file that cannot be written; the message names the duty or the key."""
