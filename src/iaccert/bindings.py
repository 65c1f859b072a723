"""``MISSING``: what a selector over ``rules/bindings.yaml``'s roles returns when it finds
nothing. The roles themselves are in ``roles.py``, loaded from the compiled catalog."""

from __future__ import annotations

MISSING = object()  # a selector found nothing
