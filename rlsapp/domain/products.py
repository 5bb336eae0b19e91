"""IV iron products: codes, names, usual doses (shared/domain.md "IV iron products").

The one home for product labels: the infusion model's choices, the preview of an
import, the exports and the charts all read them here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    code: str
    label: str  # full name with brand names, for forms and exports
    short: str  # for tables and chart labels


PRODUCTS = {
    p.code: p
    for p in [
        Product("fcm", "Ferric carboxymaltose (Injectafer / Ferinject)", "FCM"),
        Product("lmw_dextran", "Low-molecular-weight iron dextran (INFeD)", "Iron dextran"),
        Product("ferumoxytol", "Ferumoxytol (Feraheme)", "Ferumoxytol"),
        Product("derisomaltose", "Ferric derisomaltose (Monoferric)", "Ferric derisomaltose"),
        Product("sucrose", "Iron sucrose (Venofer)", "Iron sucrose"),
        Product("other", "Other", "Other"),
    ]
}
PRODUCT_CHOICES = [(p.code, p.label) for p in PRODUCTS.values()]
PRODUCT_CODES = tuple(PRODUCTS)

# A single infusion's dose in mg of iron; anything outside is a typo (mg vs g, an extra 0).
MIN_DOSE_MG = 10
MAX_DOSE_MG = 3000


def coded_label(table, code: str, other_name: str = "", attr: str = "label") -> str:
    """The `attr` of `table[code]` (infusion products, oral iron, medicines), or the name
    given for "other"; a code the table does not know reads as itself."""
    if code == "other" and other_name:
        return other_name
    entry = table.get(code)
    return getattr(entry, attr) if entry else code


def short_name(code: str, other_name: str = "") -> str:
    """'FCM', or the name given for an "other" product."""
    return coded_label(PRODUCTS, code, other_name, "short")


def full_name(code: str, other_name: str = "") -> str:
    return coded_label(PRODUCTS, code, other_name)


def dose_problem(dose_mg: float) -> str | None:
    """Why a dose cannot be right, or None."""
    if not MIN_DOSE_MG <= dose_mg <= MAX_DOSE_MG:
        return f"enter a number from {MIN_DOSE_MG} to {MAX_DOSE_MG} mg"
    return None
