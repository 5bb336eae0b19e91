"""Front-end files served from a CDN (or a clinic's own copy), pinned with SRI.

The versions match package.json; tests/test_assets.py checks each hash against
the same file from the npm package, so a version bump cannot go out unhashed.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    path: str
    integrity: str

    @property
    def url(self):
        return self.url_at(settings.ASSET_BASE_URL)

    def url_at(self, base):
        return f"{base}/{self.package}@{self.version}/{self.path}"


ASSETS = {
    "bootstrap_css": Asset(
        "bootstrap",
        "5.3.8",
        "dist/css/bootstrap.min.css",
        "sha384-sRIl4kxILFvY47J16cr9ZwB07vP4J8+LH7qKQnuqkuIAvNWLzeN8tE5YBujZqJLB",
    ),
    "bootstrap_js": Asset(
        "bootstrap",
        "5.3.8",
        "dist/js/bootstrap.bundle.min.js",
        "sha384-FKyoEForCGlyvwx9Hj09JcYn3nv7wiPVlz7YYwJrWVcXK/BmnVDxM+D2scQbITxI",
    ),
    "chartjs": Asset(
        "chart.js",
        "4.6.1",
        "dist/chart.umd.min.js",
        "sha384-Emf5ZVIUiarAdhkgtqK+5/Z5qIvM6QoVrS+qAVtfyZVuD5lIHrac0me485+Antp0",
    ),
    "chartjs_date_adapter": Asset(
        "chartjs-adapter-date-fns",
        "3.0.0",
        "dist/chartjs-adapter-date-fns.bundle.min.js",
        "sha384-cVMg8E3QFwTvGCDuK+ET4PD341jF3W8nO1auiXfuZNQkzbUUiBGLsIQUE+b1mxws",
    ),
    "chartjs_annotation": Asset(
        "chartjs-plugin-annotation",
        "3.1.0",
        "dist/chartjs-plugin-annotation.min.js",
        "sha384-3N9GHhCtN3CQef6tNfqgZlv7sQLYIkcChN+uaTZ7xVdzKYp/SjBNPxa92+hM7EAY",
    ),
}


def policy_sources(base, suffix):
    """The Content-Security-Policy sources for the pinned files under `base` whose path ends
    in `suffix` (".js", ".css"): each file's whole address, never the CDN's folder. Any npm
    package anyone publishes is served under jsDelivr's /npm/, so a folder source would let
    injected markup load whatever script its author put there."""
    if not base:
        return []
    return [asset.url_at(base) for asset in ASSETS.values() if asset.path.endswith(suffix)]


def context_processor(request):
    return {"assets": ASSETS, "signup_open": settings.SIGNUP_OPEN}
