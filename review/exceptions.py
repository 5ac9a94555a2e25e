"""One error family for the domain, translated once at each edge (API handler, admin, portal).

Each carries a user-facing message (already translated, naming the field and the fix), a stable
code for integrations, and the HTTP status that fits.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: Any, extra: dict[str, Any] | None = None, *, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.extra = extra or {}
        if code:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": str(self.message), **self.extra}


class InvalidInput(ApplicationError):
    """Bad input: names the field and what to enter instead."""

    status = 400
    code = "invalid"


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class NotAllowedNow(ApplicationError):
    """The action exists but the case or stage is not in a state that allows it."""

    status = 409
    code = "not_allowed_now"


class Conflict(ApplicationError):
    """Someone else changed the case since the caller read it: reload and try again."""

    status = 409
    code = "conflict"
