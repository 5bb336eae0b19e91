from django.urls import path

from . import views

urlpatterns = [
    # Secret addresses (rlsapp/logredact.py redacts the token segment after "shared/").
    path("shared/<slug:token>/", views.link_report, name="link_report"),
    path("shared/<slug:token>/charts.json", views.link_chart_data, name="link_chart_data"),
    path("patients/<int:pk>/links/", views.patient_links, name="patient_links"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
]
