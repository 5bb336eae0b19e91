from django.urls import path

from . import invitations, members, reminder_choice, transfers

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
    path("patients/<int:pk>/people/invite/", invitations.invite, name="patient_invite"),
    path(
        "patients/<int:pk>/people/invite/withdraw/",
        invitations.withdraw,
        name="patient_invite_withdraw",
    ),
    # The invitation link: its token is a credential (logredact.SECRET_PATHS).
    path("invite/<str:token>/", invitations.accept, name="invitation_accept"),
    path("patients/<int:pk>/transfer/", transfers.transfer, name="patient_transfer"),
    path("reminders/people/", reminder_choice.choose, name="reminder_people"),
]
