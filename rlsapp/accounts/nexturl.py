"""Where a form goes on to (?next=): a path on this site, or nothing.

url_has_allowed_host_and_scheme lets a bare word through ("abc" is a relative URL), and
django.shortcuts.redirect tries such a word as a URL pattern's name first: an unknown one
is a NoReverseMatch, a 500, and a known one goes wherever that pattern is. Only an address
that starts with "/" is taken.
"""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, url) -> str:
    """`url` if it is a path on this site, else ""."""
    if not isinstance(url, str) or not url.startswith("/"):
        return ""
    if not url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return ""
    return url
