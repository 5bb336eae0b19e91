from django.urls import path

from . import views

urlpatterns = [
    path("patients/<int:pk>/charts.json", views.chart_data, name="patient_chart_data"),
    path("patients/<int:pk>/report/", views.report, name="patient_report"),
]
