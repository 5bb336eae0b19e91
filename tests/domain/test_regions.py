import pytest

from rlsapp.domain import formats, regions, units


@pytest.mark.parametrize(
    ("header", "region"),
    [
        ("en-US,en;q=0.9", "US"),
        ("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "DE"),
        ("de-AT", "AT"),
        ("de-CH,de;q=0.9", "CH"),
        ("de", "DE"),
        ("nl-NL,nl;q=0.9", "NL"),
        ("nl", "NL"),
        ("en-GB,en;q=0.9", "GB"),
        ("en-IE", "IE"),
        ("en-AU", "AU"),
        ("en_NZ", "NZ"),
        ("en-CA", "CA"),
        ("fr-CA,fr;q=0.9", "CA-fr"),
        ("sv-SE", "SE"),
        ("sv", "SE"),
        ("nb-NO", "NO"),
        ("no-NO", "NO"),
        ("nn", "NO"),
        ("da-DK", "DK"),
        ("fi", "FI"),
        # the best-liked language that names a region wins, whatever the order written
        ("en;q=0.5, de-DE;q=0.9", "DE"),
        ("en, fr-FR;q=0.9, de;q=0.8", "DE"),
        ("EN-us", "US"),
        ("zh-Hans-CN, de-CH;q=0.3", "CH"),
    ],
)
def test_the_browser_language_suggests_a_region(header, region):
    assert regions.suggest_region(header) == region


@pytest.mark.parametrize(
    "header",
    [
        "",
        None,
        "en",
        "*",
        "fr-FR",
        "de-LU",
        "sv-FI",
        "en-IN",
        "de-DE;q=0",
        "garbage;;;q=x",
        "x" * 5000,
    ],
)
def test_a_browser_language_that_names_no_region_gives_the_install_default(header):
    assert regions.suggest_region(header, default="GB") == "GB"
    assert regions.suggest_region(header) == regions.FALLBACK_REGION


def test_an_unknown_default_falls_back_to_the_international_region():
    assert regions.suggest_region("", default="XX") == "intl"
    assert regions.get("XX").code == "intl"
    assert regions.get(None).code == "intl"


# Default units per region, as shared/domain.md's table gives them.
@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("US", {"ferritin": "ng/mL", "hemoglobin": "g/dL", "iron": "µg/dL", "phosphate": "mg/dL"}),
        ("GB", {"ferritin": "µg/L", "hemoglobin": "g/L", "iron": "µmol/L", "phosphate": "mmol/L"}),
        ("IE", {"ferritin": "µg/L", "hemoglobin": "g/L", "iron": "µmol/L", "phosphate": "mmol/L"}),
        ("DE", {"ferritin": "µg/L", "hemoglobin": "g/dL", "iron": "µmol/L", "phosphate": "mmol/L"}),
        ("CH", {"ferritin": "µg/L", "hemoglobin": "g/dL", "tibc": "µmol/L", "phosphate": "mmol/L"}),
        (
            "NL",
            {"ferritin": "µg/L", "hemoglobin": "mmol/L", "iron": "µmol/L", "phosphate": "mmol/L"},
        ),
        ("SE", {"ferritin": "µg/L", "hemoglobin": "g/L", "iron": "µmol/L", "phosphate": "mmol/L"}),
        ("CA", {"ferritin": "µg/L", "hemoglobin": "g/L", "iron": "µmol/L", "phosphate": "mmol/L"}),
        ("AU", {"ferritin": "µg/L", "hemoglobin": "g/L", "iron": "µmol/L", "phosphate": "mmol/L"}),
    ],
)
def test_each_region_defaults_to_the_units_its_labs_print(region, expected):
    r = regions.REGIONS[region]
    assert {code: r.default_unit(code) for code in expected} == expected


def test_every_region_default_unit_is_one_the_analyte_accepts():
    for region in regions.REGIONS.values():
        for code, analyte in units.ANALYTES.items():
            assert region.default_unit(code) in analyte.units


def test_the_international_region_keeps_what_rlsapp_did_before_regions():
    intl = regions.REGIONS["intl"]
    for code, analyte in units.ANALYTES.items():
        assert intl.default_unit(code) == analyte.display_unit
    assert intl.dates.pattern == "yyyy-mm-dd"
    assert formats.format_decimal(1050.5, intl, 1) == "1050.5"


@pytest.mark.parametrize(
    ("region", "label"),
    [
        ("US", "United States (1,050.5; 12/31/2025)"),
        ("DE", "Germany (1.050,5; 31.12.2025)"),
        ("NL", "Netherlands (1.050,5; 31-12-2025)"),
        ("GB", "United Kingdom (1,050.5; 31/12/2025)"),
    ],
)
def test_a_region_is_shown_with_how_it_writes_numbers_and_dates(region, label):
    assert formats.region_label(regions.REGIONS[region]) == label
