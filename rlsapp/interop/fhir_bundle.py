"""A FHIR Bundle's entries, streamed; what is no usable Bundle is refused (pure).

fhir_parse.py reads each entry; this module reads the file as a stream of JSON
events, so that only one entry is ever held, refuses a file that is not a Bundle (or
nests deeper than FHIR does) before any entry is read, and gathers the names of the
Organizations the lab results may refer to.
"""

from __future__ import annotations

import codecs
import io

import ijson

from .csv import MAX_NOTE, MAX_TEXT
from .parsed import MAX_RECORDS, ImportRefused

# FHIR resources nest a dozen levels at most; deeper JSON is refused before it is built.
MAX_DEPTH = 64
# JSON is UTF-8 (RFC 8259), but Windows tools save "Unicode" as UTF-16 and some as UTF-32,
# each with a byte order mark. Longest first: UTF-32's little-endian mark starts with
# UTF-16's.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def encoding_of(data: bytes) -> tuple[str, str, int]:
    """(codec, its name for people, length of the mark) by the byte order mark; UTF-8
    without one."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            return codec, name, len(bom)
    return "utf-8", "UTF-8", 0


def as_utf8(data: bytes) -> bytes:
    """The file as UTF-8 without a byte order mark, which the streaming parser reads."""
    codec, name, skip = encoding_of(data)
    if codec == "utf-8":
        return data[skip:]
    try:
        return data[skip:].decode(codec).encode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"The file is marked as {name} text but byte {error.start + skip + 1:,} is not "
            f"{name}: the file may be cut short. Export it again (UTF-8 is best)."
        ) from None


def iter_entries(data: bytes, seen: dict):
    """Each item of the document's top-level "entry" list, built one at a time.

    The file is read as a stream of parse events, so only one entry is ever held:
    the whole document, or a list of a million entries, never exists in memory.
    `seen` receives the top-level "resourceType". Raises ijson.JSONError on bad JSON.
    """
    stream = io.BytesIO(data.removeprefix(codecs.BOM_UTF8))
    depth, key, top_is_object, in_entries, builder = 0, None, False, False, None
    for event, value in ijson.basic_parse(stream, use_float=True):
        if builder is not None:
            builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_DEPTH:
                raise ImportRefused(
                    f"This is not a FHIR JSON file: it nests more than {MAX_DEPTH} levels deep, "
                    "and FHIR resources never do."
                )
            if depth == 1:
                top_is_object = event == "start_map"
            elif depth == 2 and top_is_object:
                in_entries = key == "entry" and event == "start_array"
            elif depth == 3 and in_entries:
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 2 and builder is not None:
                yield builder.value
                builder = None
            elif depth == 1:
                in_entries = False
        elif depth == 1 and top_is_object:
            if event == "map_key":
                key = value
            elif key == "resourceType":
                seen["resourceType"] = value
        elif depth == 2 and in_entries:
            yield value  # an entry that is not an object: reported as such


def check_bundle(data: bytes) -> dict[str, str]:
    """Read the whole file once to refuse what cannot be used; the organisation names.

    The names (by fullUrl and by reference) are gathered first because a lab result
    may name its lab by a reference to an Organization later in the file. `data`: UTF-8
    (as_utf8 reads the other encodings).
    """
    if not data or not data.strip():
        raise ImportRefused("The file is empty.")
    seen: dict = {}
    organisations: dict[str, str] = {}
    count = 0
    try:
        for entry in iter_entries(data, seen):
            count += 1
            if count > MAX_RECORDS:
                raise ImportRefused(
                    f"The FHIR Bundle has more than {MAX_RECORDS:,} entries; rlsapp reads at "
                    f"most {MAX_RECORDS:,} from one file. Export a shorter period."
                )
            organisation(entry, organisations)
    except ImportRefused:
        raise
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        raise ImportRefused(
            "This is not a FHIR JSON file: it could not be read as JSON. "
            "rlsapp reads FHIR R4 Bundles in JSON (not XML)."
        ) from None
    if "resourceType" not in seen:
        raise ImportRefused("This JSON file is not FHIR: it has no resourceType.")
    if seen["resourceType"] != "Bundle":
        raise ImportRefused(
            f"This FHIR file holds one {str(seen['resourceType'])[:40]}, not a Bundle: "
            "export a Bundle of your records."
        )
    if not count:
        raise ImportRefused("The FHIR Bundle has no entries.")
    return organisations


def organisation(entry, names: dict[str, str]) -> None:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if isinstance(resource, dict) and resource.get("resourceType") == "Organization":
        name = text(resource.get("name"), MAX_TEXT)
        if entry.get("fullUrl"):
            names[str(entry["fullUrl"])] = name
        if resource.get("id"):
            names[f"Organization/{resource['id']}"] = name


def text(value, limit=MAX_NOTE) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""
