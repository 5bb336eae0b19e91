from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # The admin's own sign-in would skip the throttled, two-factor sign-in: send it to ours.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("rlsapp.accounts.urls")),
    path("", include("rlsapp.web.urls")),
    path("", include("rlsapp.tracking.urls")),
    path("", include("rlsapp.interop.urls")),
    path("", include("rlsapp.reminders.urls")),
    path("", include("rlsapp.charts.urls")),
    path("", include("rlsapp.sharing.urls")),
    path("", include("rlsapp.links.urls")),
]

# A database failure outside a view still gets the plain 503, not a stack trace.
handler500 = "rlsapp.middleware.server_error"
