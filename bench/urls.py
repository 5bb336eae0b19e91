"""The app's URLs plus the anchor: a trivial view behind the same session auth.

Only bench.settings routes here, so production has no extra URL.
"""

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import include, path


@login_required
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


def cache_backend(request):
    """The default cache's class: bench.run checks that the cold server really caches nothing."""
    backend = caches["default"]
    return HttpResponse(
        f"{type(backend).__module__}.{type(backend).__name__}", content_type="text/plain"
    )


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("bench/cache/", cache_backend, name="bench_cache_backend"),
    path("", include("rlsapp.urls")),
]

handler500 = "rlsapp.middleware.server_error"
