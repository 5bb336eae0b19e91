from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("rlsapp.accounts.urls")),
    path("", include("rlsapp.tracking.urls")),
]
