"""Invitations: the owner invites an address to a role; whoever signs in with that address
(confirmed) accepts on a confirmation page, and the person appears on their worklist.

The link is the only credential: 256 random bits, stored hashed, working once and for
SHARING_INVITATION_DAYS. It survives signing in or signing up as their ?next=. Accepting
takes a button (a mail scanner that fetches the link accepts nothing); so does declining,
which only the invited account can do (anyone else's POST is a 404). A wrong account,
an unknown, expired, used, declined or withdrawn link each get a page saying so, and none
of them shows anything of the person: only the invited account sees the person's name.
"""

import functools
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from rlsapp.tracking.access import OWN, get_patient_for_user
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership

from . import notifications, services
from .models import ACCEPTED, DECLINED, PENDING, Invitation

ROLE_LABELS = {EDITOR: "Can edit", VIEWER: "Can view"}


# What Invitation.email holds (EmailField's 254): a longer address, valid to the form's
# validator, failed the INSERT on PostgreSQL (a 500).
EMAIL_ERRORS = {
    "required": "Email address: enter the address to invite.",
    "invalid": "Email address: enter an address such as name@example.com.",
    "max_length": "Email address: at most %(limit_value)d characters; this one has %(show_value)d.",
}
EMAIL_MAX_LENGTH = Invitation._meta.get_field("email").max_length


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="Only an account with this address, confirmed, can accept.",
        error_messages=EMAIL_ERRORS,
    )
    role = forms.ChoiceField(
        label="What they may do",
        choices=list(ROLE_LABELS.items()),
        initial=VIEWER,
        widget=forms.RadioSelect,
        help_text="“Can edit” adds and changes results, infusions and settings; “Can view” "
        "only reads them. You can change this later.",
        error_messages={"required": "Role: choose “Can edit” or “Can view”."},
    )


class AcceptForm(forms.Form):
    gets_reminders = forms.BooleanField(
        label="Send me this person’s re-check reminders (email and calendar feed)",
        required=False,
        help_text="You can change this later on the Reminders page.",
    )


def invitations_to_show(person):
    """For the owner's "People with access" page: those waiting for an answer, and those
    declined, until they would have expired (then they go, as unanswered ones do)."""
    shown = Invitation.objects.filter(
        person=person, status__in=[PENDING, DECLINED], expires_at__gt=timezone.now()
    )
    return list(shown.order_by("created", "pk"))


def accept_url(token):
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, pk):
    person = get_patient_for_user(request, pk, need=OWN)
    form = InvitationForm(request.POST or None)
    context = {"patient": person, "form": form, "days": settings.SHARING_INVITATION_DAYS}
    if request.method == "POST" and form.is_valid():
        email, role = form.cleaned_data["email"], form.cleaned_data["role"]
        try:
            invitation, token = services.invite(person, request.user, email, role)
        except services.SharingRefused as refused:
            form.add_error("email", str(refused))
        else:
            if notifications.invited(invitation, token):
                messages.success(request, f"Invitation emailed to {invitation.email}.")
                return redirect("patient_people", person.pk)
            # No mail (or it failed): the link is shown now, and never again.
            context.update(invitation=invitation, link=accept_url(token))
            return render(request, "sharing/invitation_made.html", context)
    status = 400 if form.errors else 200
    return render(request, "sharing/invite.html", context, status=status)


@login_required
@require_POST
def withdraw(request, pk):
    person = get_patient_for_user(request, pk, need=OWN)
    chosen = request.POST.get("invitation", "")
    invitation = get_object_or_404(
        Invitation.objects.filter(person=person, status=PENDING),
        pk=int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 12 else 0,
    )
    services.withdraw_invitation(invitation)
    messages.success(
        request, f"Invitation to {invitation.email} withdrawn: its link no longer works."
    )
    return redirect("patient_people", person.pk)


def _problem(request, heading, message, status):
    context = {"heading": heading, "message": message}
    return render(request, "sharing/invitation_problem.html", context, status=status)


def _unusable(request, invitation):
    """The page for a link that does not (or no longer) work, or None if it works."""
    if invitation is None:
        return _problem(
            request,
            "This invitation link is not valid",
            "Check that the whole link was copied from the email. If it still does not "
            "work, ask the person who invited you to send a new invitation.",
            404,
        )
    if invitation.status == ACCEPTED:
        mine = request.user.is_authenticated and invitation.accepted_by_id == request.user.pk
        if (
            mine
            and Membership.objects.filter(
                person_id=invitation.person_id, account=request.user
            ).exists()
        ):  # the invitee's second click: straight to the person
            return redirect("patient_detail", invitation.person_id)
        return _problem(
            request,
            "This invitation was used already",
            "Each invitation link works once. Ask the person who invited you for a new one.",
            410,
        )
    if invitation.status == DECLINED:
        return _problem(
            request,
            "This invitation was declined",
            "It was declined with this link, so it no longer works. Changed your mind? Ask "
            "the person who invited you to send a new invitation.",
            410,
        )
    if invitation.status != PENDING or not services.invitation_still_stands(
        invitation, invitation.person
    ):
        return _problem(
            request,
            "This invitation was withdrawn",
            "The person who sent it called it off. Ask them if you still need access.",
            410,
        )
    if invitation.is_expired:
        return _problem(
            request,
            "This invitation has expired",
            f"Invitations work for {settings.SHARING_INVITATION_DAYS} days. Ask the person "
            "who invited you to send a new one.",
            410,
        )
    return None


def _private(view):
    """The token is in the address, as a read-only link's is (links/views.py): every answer
    kept out of search engines and out of any cache, a visitor without a session too (the
    sign-in page names the invited address)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapped


@_private
@require_http_methods(["GET", "POST"])
def accept(request, token):
    """The invited address's landing page: sign in (or up), then accept with a button."""
    invitation = services.find_invitation(token)
    unusable = _unusable(request, invitation)
    if unusable is not None:
        return unusable
    here = request.get_full_path()
    if not request.user.is_authenticated:
        context = {
            "login_url": f"{reverse('login')}?{urlencode({'next': here})}",
            "signup_url": f"{reverse('signup')}?{urlencode({'next': here})}",
            "signup_open": settings.SIGNUP_OPEN,
            "email": invitation.email,
        }
        return render(request, "sharing/invitation_sign_in.html", context)
    if not services.invitation_is_for(invitation, request.user):
        # Nothing of the person: the link may have been forwarded to the wrong person.
        context = {
            "email": invitation.email,
            "next": f"{reverse('login')}?{urlencode({'next': here})}",
        }
        return render(request, "sharing/invitation_wrong_account.html", context, status=403)
    role = invitation.role
    # Bound on every POST: an unticked box posts nothing, and an empty POST is falsy.
    data = request.POST if request.method == "POST" else None
    form = AcceptForm(data, initial={"gets_reminders": role == EDITOR})
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(
                invitation, request.user, form.cleaned_data["gets_reminders"]
            )
        except services.SharingRefused:  # used, withdrawn or expired a moment ago
            return _unusable(request, services.find_invitation(token)) or redirect(here)
        messages.success(request, f"You now have access to {invitation.person.name}.")
        return redirect("patient_detail", invitation.person_id)
    already = Membership.objects.filter(person=invitation.person, account=request.user).first()
    context = {
        "invitation": invitation,
        "person": invitation.person,
        "form": form,
        "role_label": "Owner" if invitation.is_transfer else ROLE_LABELS.get(role, role),
        "already": already,
        "decline_url": reverse("invitation_decline", args=[token]),
    }
    return render(request, "sharing/invitation_accept.html", context)


@_private
@require_POST
def decline(request, token):
    """The invited account says no (a button on the accept page). Anyone else, signed in
    or not, gets the 404 of a link that never was: nothing of the invitation shows."""
    invitation = services.find_invitation(token)
    if invitation is None or not services.invitation_is_for(invitation, request.user):
        raise Http404("No such invitation.")
    unusable = _unusable(request, invitation)
    if unusable is not None:
        return unusable
    if not services.decline_invitation(invitation, request.user):
        # Accepted, withdrawn or expired a moment ago: say which.
        return _unusable(request, services.find_invitation(token)) or redirect("home")
    return _problem(
        request,
        "Invitation declined",
        f"You declined the invitation to {invitation.person.name}’s records; its link no "
        f"longer works. {invitation.invited_by.email} sees it as declined on their page "
        "(no email is sent). Changed your mind? Ask them for a new invitation.",
        200,
    )
