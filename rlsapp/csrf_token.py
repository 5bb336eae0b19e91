"""The CSRF token pages carry ({% csrf_token %}, {{ csrf_token }}), masked as Django masks
it but with one draw from the system's random source instead of thirty-two.

Django's csrf context processor masks the request's secret with a mask from
get_random_string: 32 calls of secrets.choice, each reading os.urandom, which cost more
than the rest of the page frame. The mask here has the same distribution (32 characters
drawn uniformly and independently from the same 62: one uniform number below 62**32 read
as 32 base-62 digits, from the same secrets module) and is added to the secret the same
way, so CsrfViewMiddleware checks the token as its own. A request without a secret yet
(no cookie) gets Django's get_token unchanged, which makes one and schedules the cookie.
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.functional import SimpleLazyObject

_BASE = len(CSRF_ALLOWED_CHARS)
_MASKS = _BASE**CSRF_SECRET_LENGTH
_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def masked(secret: str, number: int) -> str:
    """The token for `secret` under the mask whose base-62 digits, lowest first, are
    `number`'s: Django's _mask_cipher_secret with that mask."""
    digits = []
    for _ in range(CSRF_SECRET_LENGTH):
        number, digit = divmod(number, _BASE)
        digits.append(digit)
    mask = "".join([CSRF_ALLOWED_CHARS[digit] for digit in digits])
    cipher = "".join(
        [
            CSRF_ALLOWED_CHARS[(_INDEX[char] + digit) % _BASE]
            for char, digit in zip(secret, digits, strict=False)
        ]
    )
    return mask + cipher


def get_masked_token(request) -> str:
    """django.middleware.csrf.get_token(request), with the mask drawn at once."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        return get_token(request)
    # As get_token does: the cookie is sent again so that its expiry is renewed.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(secret, secrets.randbelow(_MASKS))


def context_processor(request):
    # Listed after Django's own csrf processor (always first), so this csrf_token wins.
    return {"csrf_token": SimpleLazyObject(lambda: get_masked_token(request))}
