"""Secret tokens that work as passwords in an address (calendar feed, read-only links).

A token is 256 random bits (43 URL-safe characters). Only its SHA-256 is stored: a copy
of the database, a backup or the admin then holds nothing that opens a feed or a link.
A fast hash is right here, unlike for passwords: a password hasher is slow on purpose
because people choose guessable passwords, but 256 random bits cannot be guessed however
fast each try is, and a salted slow hash could not be looked up by its value. The lookup
compares hashes in the database, so its timing says nothing about the token: a
constant-time comparison would protect nothing.

No Django imports: the apps (reminders, links) import it, and it imports no app.
"""

import hashlib
import re
import secrets

BYTES = 32  # 256 bits
# token_urlsafe(32) makes 43 characters; a longer or odd address is looked nothing up for.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_token() -> str:
    return secrets.token_urlsafe(BYTES)


def digest(token: str) -> str:
    """What is stored for a token: its SHA-256, 64 hex digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def digest_if_well_formed(text: str) -> str | None:
    """The digest of `text` if it could be a token, else None (look nothing up: a 404)."""
    if not isinstance(text, str) or not _SHAPE.fullmatch(text):
        return None
    return digest(text)
