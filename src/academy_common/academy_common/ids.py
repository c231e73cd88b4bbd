"""Identifiers that must be unique across hosts (goals, utterances, instructions, episodes)."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """Return a random 128-bit id as 32 lowercase hex digits (a UUID4 without dashes)."""
    return uuid.uuid4().hex


def uuid_bytes_to_hex(data: bytes | bytearray | list[int]) -> str:
    """Render a 16-byte UUID (e.g. an action goal id's ``uuid`` field) as 32 hex digits."""
    return bytes(bytearray(data)).hex()
