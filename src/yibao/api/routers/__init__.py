"""One router per resource, all under ``/api/v1``."""

from __future__ import annotations
