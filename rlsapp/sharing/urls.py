from django.urls import path

from . import invitations, members, reminder_choice, transfers

# Pages about one person, below patients/<pk>/: (address, view, URL name). The person's
# id comes first in each address, so the isolation test takes it as the object's id.
PERSON_PAGES = [
    ("people/", members.people_with_access, "patient_people"),
    ("people/<int:member>/role/", members.change_role, "patient_people_role"),
    ("people/<int:member>/remove/", members.remove, "patient_people_remove"),
    ("leave/", members.leave, "patient_leave"),
    ("people/invite/", invitations.invite, "patient_invite"),
    ("people/invite/withdraw/", invitations.withdraw, "patient_invite_withdraw"),
    ("transfer/", transfers.transfer, "patient_transfer"),
]

urlpatterns = [
    *(path(f"patients/<int:pk>/{route}", view, name=name) for route, view, name in PERSON_PAGES),
    # The invitation link: its token is a credential (logredact.SECRET_PATHS).
    path("invite/<str:token>/", invitations.accept, name="invitation_accept"),
    path("invite/<str:token>/decline/", invitations.decline, name="invitation_decline"),
    path("reminders/people/", reminder_choice.choose, name="reminder_people"),
]
