from django.urls import path

from . import table, views

urlpatterns = [
    path("patients/<int:pk>/charts.json", views.chart_data, name="patient_chart_data"),
    path("patients/<int:pk>/charts/", views.charts_page, name="patient_charts"),
    path("patients/<int:pk>/report/", views.report, name="patient_report"),
    path("patients/<int:pk>/chart-table/", table.results_table, name="patient_chart_table"),
]
