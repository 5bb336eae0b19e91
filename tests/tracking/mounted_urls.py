"""The app's URLs mounted under /app/: a deployment's URL configuration other than its own."""

from django.urls import include, path

urlpatterns = [path("app/", include("rlsapp.urls"))]
