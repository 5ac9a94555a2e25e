from .calendar import CalendarDay, CalendarYear
from .cases import (
    Application,
    ClockStop,
    Extension,
    Stage,
    StateWriteError,
    TransitionLog,
    extensions_in_force,
)
from .certificates import Certificate
from .documents import SupplementDocument
from .organisation import Department, Enterprise, Office, User
from .policy import PolicyPack, PolicyRule
from .references import ReferenceCounter
from .routes import Route, RouteStep

__all__ = [
    "Application",
    "CalendarDay",
    "CalendarYear",
    "Certificate",
    "ClockStop",
    "Department",
    "Enterprise",
    "Extension",
    "extensions_in_force",
    "Office",
    "PolicyPack",
    "PolicyRule",
    "ReferenceCounter",
    "Route",
    "RouteStep",
    "Stage",
    "StateWriteError",
    "SupplementDocument",
    "TransitionLog",
    "User",
]
