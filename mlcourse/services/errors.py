"""The one error type the services raise: a stable code, an HTTP status and an untranslated message.

Messages are English msgids with %(name)s placeholders; the block translates them with the learner's
catalog at the edge, so this layer needs no request or language.
"""


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where the learner's language is known."""
    return message


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, **params):
        super().__init__(message % params if params else message)
        self.code = code
        self.message = message
        self.status = status
        self.params = params


def not_signed_in():
    return ApiError("not_signed_in", N_("Please sign in to take part in the peer exchange."), 403)
