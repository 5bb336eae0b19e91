"""The chart palette (static/js/chart_parts.js), read from the file itself: every line
at least 3:1 against the white page and every text colour 4.5:1 (WCAG 2.2, 1.4.11 and
1.4.3). Issue 16 item 5."""

import re
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[2] / "static" / "js" / "chart_parts.js"
PAGE = "#FFFFFF"


def luminance(colour):
    """Relative luminance of '#rrggbb' (WCAG 2.2)."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def palette():
    source = JS.read_text(encoding="utf-8")
    block = re.search(r"const COLORS = \{(.*?)\};", source, re.S).group(1)
    colours = dict(re.findall(r'(\w+): "(#[0-9A-Fa-f]{6})"', block))
    episodes = re.search(r"const EPISODE_COLORS = \[(.*?)\];", source, re.S).group(1)
    for n, colour in enumerate(re.findall(r'"(#[0-9A-Fa-f]{6})"', episodes)):
        colours[f"episode{n}"] = colour
    return colours


def test_the_palette_is_read_whole():
    colours = palette()
    # A colour written another way (rgba, a name) would escape the checks below.
    block = re.search(r"const COLORS = \{(.*?)\};", JS.read_text(encoding="utf-8"), re.S).group(1)
    assert block.count(":") == sum(1 for k in colours if not k.startswith("episode"))
    assert {"ferritin", "threshold", "hemoglobin", "hematocrit", "tsat", "symptoms"} <= set(colours)
    assert (
        len(
            {
                v.upper()
                for k, v in colours.items()
                if k in ("hemoglobin", "hematocrit", "tsat", "symptoms", "ferritin")
            }
        )
        == 5
    )


def test_contrast_matches_known_values():
    assert contrast("#000000", PAGE) == pytest.approx(21)
    assert contrast("#FD7E14", PAGE) == pytest.approx(2.57, abs=0.01)  # the old hematocrit


@pytest.mark.parametrize(("name", "colour"), sorted(palette().items()))
def test_every_line_stands_out_from_the_page(name, colour):
    needed = 4.5 if name.endswith("Text") else 3
    assert contrast(colour, PAGE) >= needed, f"{name} {colour}: {contrast(colour, PAGE):.2f}:1"


def test_no_infusion_in_the_overlay_wears_the_thresholds_colour():
    """The overlay chart draws each infusion's line beside the threshold line: the second
    infusion was drawn in the threshold's vermilion, so the two read as one series."""
    colours = palette()
    episodes = [c.upper() for k, c in colours.items() if k.startswith("episode")]
    assert colours["threshold"].upper() not in episodes
    assert len(set(episodes)) == len(episodes)
