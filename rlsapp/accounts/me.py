"""This is me: an account marks one person it can see as its own record (issue 15 item 2).

Home then opens that person's page instead of the worklist (web/views.home); the worklist
stays at its own address. Any member may mark a person, whatever their role: it changes
nothing of the person's records, only where this account lands.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rlsapp.tracking.access import VIEW, get_patient_for_user
from rlsapp.tracking.memberships import is_me, set_me, unset_me

from .nexturl import safe_next


@login_required
@require_POST
def this_is_me(request, pk):
    """POST me=1 marks the person as the account's own, me=0 takes the mark off."""
    person = get_patient_for_user(request, pk, need=VIEW)
    if request.POST.get("me") == "1":
        set_me(request.user, person)
        messages.success(
            request, f"{person.name} is marked as you: the app opens this page when you sign in."
        )
    else:
        if is_me(request.user, person):
            unset_me(request.user)
        messages.success(request, f"{person.name} is no longer marked as you.")
    return redirect(safe_next(request, request.POST.get("next")) or person.get_absolute_url())
