from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("rlsapp.accounts.urls")),
    path("", include("rlsapp.tracking.urls")),
    path("", include("rlsapp.interop.urls")),
    path("", include("rlsapp.reminders.urls")),
    path("", include("rlsapp.charts.urls")),
]

# A database failure outside a view still gets the plain 503, not a stack trace.
handler500 = "rlsapp.middleware.server_error"
