"""Django admin: review staff work here. Every write goes through services/."""

from . import cases, reference, tokens  # noqa: F401  (registration side effects)
