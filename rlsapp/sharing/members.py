"""Who has access to a person: the owner's "People with access" page (change a member's
role, remove a member) and "Leave" for every other member.

Every lookup goes through tracking/access.py: a stranger (or a removed member) gets the
404 of a missing person, a member whose role does not allow the page a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rlsapp.tracking.access import OWN, VIEW, get_patient_for_user
from rlsapp.tracking.memberships import OWNER, ROLE_CHOICES, Membership

from . import services
from .invitations import invitations_to_show

ROLE_WORDS = dict(ROLE_CHOICES)


def _member(person, member_id):
    """One membership of the person, by its id; any other id is a 404."""
    return get_object_or_404(
        Membership.objects.filter(person=person).select_related("account", "person"),
        pk=member_id,
    )


@login_required
@require_GET
def people_with_access(request, pk):
    person = get_patient_for_user(request, pk, need=OWN)
    context = {
        "patient": person,
        "members": services.members_of(person),
        "grantable": [(role, ROLE_WORDS[role]) for role in services.GRANTABLE],
        "invitations": invitations_to_show(person),
    }
    return render(request, "sharing/members.html", context)


@login_required
@require_POST
def change_role(request, pk, member):
    person = get_patient_for_user(request, pk, need=OWN)
    membership = _member(person, member)
    role = request.POST.get("role", "")
    try:
        changed = services.change_role(membership, role)
    except services.SharingRefused as refused:
        messages.error(request, str(refused))
    else:
        who = membership.account.email
        if changed:
            messages.success(request, f"{who} now has “{ROLE_WORDS[role]}” for {person.name}.")
        else:
            messages.info(request, f"{who} already had “{ROLE_WORDS[role]}”.")
    return redirect("patient_people", person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request, pk, member):
    person = get_patient_for_user(request, pk, need=OWN)
    membership = _member(person, member)
    if membership.role == OWNER:
        raise PermissionDenied("The owner cannot be removed.")
    if request.method == "POST":
        services.remove_member(membership)
        messages.success(
            request, f"{membership.account.email} no longer has access to {person.name}."
        )
        return redirect("patient_people", person.pk)
    context = {"patient": person, "membership": membership, "role": ROLE_WORDS[membership.role]}
    return render(request, "sharing/remove.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request, pk):
    person = get_patient_for_user(request, pk, need=VIEW)
    if person.role == OWNER:
        raise PermissionDenied("The owner cannot leave: transfer or delete the person instead.")
    if request.method == "POST":
        membership = Membership.objects.filter(person=person, account=request.user).first()
        if membership is not None:
            services.leave(membership)
        messages.success(request, f"You no longer have access to {person.name}.")
        return redirect("worklist")
    return render(
        request, "sharing/leave.html", {"patient": person, "role": ROLE_WORDS[person.role]}
    )
