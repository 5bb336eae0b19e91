"""The app's URLs plus the anchor: a trivial view behind the same session auth.

Only bench.settings routes here, so production has no extra URL.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("rlsapp.urls")),
]

handler500 = "rlsapp.middleware.server_error"
