from django.urls import path

from . import members

# Named patient_* so that the isolation test treats the first id as the person's.
urlpatterns = [
    path("patients/<int:pk>/people/", members.people_with_access, name="patient_people"),
    path(
        "patients/<int:pk>/people/<int:member>/role/",
        members.change_role,
        name="patient_people_role",
    ),
    path(
        "patients/<int:pk>/people/<int:member>/remove/",
        members.remove,
        name="patient_people_remove",
    ),
    path("patients/<int:pk>/leave/", members.leave, name="patient_leave"),
]
