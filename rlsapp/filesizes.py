"""File sizes as people read them, shared by the import form and the 413 page so that both
state the same limit, and a size just over the limit never reads the same as the limit."""

from django.template.defaultfilters import filesizeformat

NBSP = "\xa0"  # as Django's filesizeformat: the number and its unit never wrap apart
UNITS = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))


def describe_size(size):
    """'5.0 MB', as Django's filesizeformat (and so as templates show sizes)."""
    return str(filesizeformat(size))


def _with_decimals(size, decimals):
    for unit, scale in UNITS:
        if size >= scale:
            return f"{size / scale:.{decimals}f}{NBSP}{unit}"
    return f"{size:,}{NBSP}bytes"


def describe_sizes(size, limit):
    """The size and the limit, each with just enough precision to tell them apart."""
    shown = describe_size(size), describe_size(limit)
    for decimals in (2, 3):
        if shown[0] != shown[1]:
            return shown
        shown = _with_decimals(size, decimals), _with_decimals(limit, decimals)
    if shown[0] != shown[1]:
        return shown
    return f"{size:,}{NBSP}bytes", f"{limit:,}{NBSP}bytes"
