from rlsapp import units


def draw_post(drawn_on, **values):
    """POST data for the lab draw form: values as text, optionally (text, unit)."""
    data = {"drawn_on": str(drawn_on), "lab_name": "City Lab", "note": ""}
    for code, analyte in units.ANALYTES.items():
        value = values.get(code, "")
        text, unit = value if isinstance(value, tuple) else (value, analyte.display_unit)
        data[code] = text
        data[f"{code}_unit"] = unit
    return data
