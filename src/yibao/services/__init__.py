"""Use cases of the registry and payments service; each owns its transaction."""

from __future__ import annotations
