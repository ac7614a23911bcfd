"""Routes of the nominations feature, split by audience; importing this package registers them all."""

from nominations.blueprint import bp
from nominations.views import focal, organiser, public  # noqa: F401 - routes register on import

__all__ = ["bp"]
