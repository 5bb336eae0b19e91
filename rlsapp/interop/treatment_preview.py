"""How an upload's oral iron courses and RLS medicines read in the import preview (pure)."""

from rlsapp.domain import medicines


def _course_details(course):
    schedule = (
        course["schedule_other"]
        if course["schedule"] == "other"
        else medicines.SCHEDULES.get(course["schedule"], course["schedule"]).lower()
    )
    details = [
        f"{medicines.iron_label(course['product'], course['product_other'])}, "
        f"{course['elemental_mg']:g} mg elemental iron, {schedule}"
        + (", with vitamin C" if course["with_vitamin_c"] else "")
    ]
    details.append(f"until {course['ended_on']}" if course["ended_on"] else "ongoing")
    question = _salt_weight(course)
    if question:
        details.append(_salt_weight_text(question))
    return details


def rows_label(rows) -> str:
    """The file rows a record came from, as the preview shows them ('4' or '4–6')."""
    if not rows:
        return ""
    return str(rows[0]) if len(rows) == 1 else f"{rows[0]}–{rows[-1]}"


def _salt_weight(course):
    return medicines.salt_weight(course["product"], course["elemental_mg"])


def _salt_weight_text(question) -> str:
    return (
        f"{question.words} Imported as {question.typed:g} mg of elemental iron, as the file "
        f"says: check the file, and change the course after importing if "
        f"{question.elemental:g} mg is meant."
    )


def salt_weight_flags(payload, limit: int) -> list[dict]:
    """A row for 'Values to check against the file' per new course whose elemental iron
    is the weight of a tablet of its salt (medicines.salt_weight), as the form asks."""
    found = []
    courses, plan = payload.get("courses", []), payload["plan"].get("courses", [])
    for course, new in zip(courses, plan, strict=True):
        question = _salt_weight(course)
        if question and new and len(found) < limit:
            found.append(
                {
                    "row": rows_label(course["rows"]),
                    "column": "elemental iron",
                    "message": _salt_weight_text(question),
                }
            )
    return found


def _medicine_details(medicine):
    details = [
        f"{medicines.drug_label(medicine['drug'], medicine['drug_other'])}, "
        f"{medicines.format_dose(medicine['dose'], medicine['dose_unit'])}",
        f"until {medicine['stopped_on']}" if medicine["stopped_on"] else "still taken",
    ]
    for event in medicine["events"]:
        text = f"{event['happened_on']}: {medicines.EVENT_LABELS.get(event['kind'], '')}"
        if event["dose"] is not None:
            text += f" to {medicines.format_dose(event['dose'], medicine['dose_unit'])}"
        details.append(text + (f" ({event['note']})" if event["note"] else ""))
    return details


def preview_row(record, kind, date, details, status):
    """One row of the import preview (preview.preview_items lists every kind with it)."""
    return {
        "rows": record["rows"],
        "kind": kind,
        "date": date,
        "details": details,
        "status": status,
    }


def items(payload):
    """Preview rows for the courses and medicines; a refused one is marked 'refused'."""
    plan = payload["plan"]
    refused = set(plan.get("refused_rows", []))
    found = []
    for key, kind, details in (
        ("courses", "Oral iron course", _course_details),
        ("medicines", "RLS medicine", _medicine_details),
    ):
        for record, new in zip(payload.get(key, []), plan.get(key, []), strict=True):
            if new:
                status = "new"
            else:
                status = "refused" if record["rows"][0] in refused else "duplicate"
            found.append(preview_row(record, kind, record["started_on"], details(record), status))
    return found
