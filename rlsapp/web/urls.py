from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("worklist/", views.worklist, name="worklist"),
    path("worklist/order/", views.worklist_order, name="worklist_order"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
]
