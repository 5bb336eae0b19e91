"""Transferring ownership, confirmed by both sides, on one page per person.

The owner proposes a member (or invites an address to become the owner); the member
offered it accepts or declines; either side may cancel until then. The previous owner
stays on with "Can edit": a clinic handing the record to its patient usually goes on
treating her, and can leave afterwards.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rlsapp.tracking.access import VIEW, get_patient_for_user
from rlsapp.tracking.memberships import OWN, OWNER, Membership, role_allows

from . import notifications, services
from .invitations import EMAIL_ERRORS, EMAIL_MAX_LENGTH, accept_url


class ProposeForm(forms.Form):
    member = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label="Hand the records to",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the member who is to become the owner."},
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = (
            Membership.objects.filter(person=person)
            .exclude(role=OWNER)
            .select_related("account")
            .order_by("account__email")
        )
        field.label_from_instance = lambda m: f"{m.account.email} ({m.get_role_display()})"


class InviteOwnerForm(forms.Form):
    email = forms.EmailField(
        label="Or invite an address to become the owner",
        max_length=EMAIL_MAX_LENGTH,
        error_messages=EMAIL_ERRORS,
    )


def _owner_post(request, person, context):
    action = request.POST.get("action")
    if action == "cancel":
        transfer = services.pending_transfer(person)
        if transfer and services.cancel_transfer(transfer):
            messages.success(request, "Transfer cancelled: you stay the owner.")
        return redirect("patient_transfer", person.pk)
    if action == "invite":
        form = context["invite_form"] = InviteOwnerForm(request.POST)
        if form.is_valid():
            try:
                invitation, token = services.invite(
                    person, request.user, form.cleaned_data["email"], OWNER
                )
            except services.SharingRefused as refused:
                form.add_error("email", str(refused))
            else:
                if notifications.invited(invitation, token):
                    messages.success(
                        request, f"Invitation to take over emailed to {invitation.email}."
                    )
                    return redirect("patient_people", person.pk)
                context.update(invitation=invitation, link=accept_url(token))
                return render(request, "sharing/invitation_made.html", context)
        return None
    form = context["form"] = ProposeForm(request.POST, person=person)
    if form.is_valid():
        try:
            transfer = services.propose_transfer(person, request.user, form.cleaned_data["member"])
        except services.SharingRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                f"Transfer proposed to {transfer.to_account.email}. You stay the owner until "
                "they accept.",
            )
        return redirect("patient_transfer", person.pk)
    return None


def _recipient_post(request, person, transfer):
    if request.POST.get("action") == "accept":
        try:
            services.accept_transfer(transfer, request.user)
        except services.SharingRefused as refused:
            messages.error(request, str(refused))
            return redirect("patient_detail", person.pk)
        messages.success(request, f"You are now the owner of {person.name}’s records.")
        return redirect("patient_people", person.pk)
    if services.cancel_transfer(transfer):
        messages.success(request, "Transfer declined: nothing changed.")
    return redirect("patient_detail", person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request, pk):
    person = get_patient_for_user(request, pk, need=VIEW)
    pending = services.pending_transfer(person)
    is_owner = role_allows(person.role, OWN)
    is_recipient = pending is not None and pending.to_account_id == request.user.pk
    if not (is_owner or is_recipient):
        raise PermissionDenied("Only the owner, or the member offered ownership, can open this.")
    context = {
        "patient": person,
        "pending": pending,
        "is_owner": is_owner,
        "mail_configured": settings.MAIL_CONFIGURED,
    }
    if is_owner:
        context["form"] = ProposeForm(person=person)
        context["invite_form"] = InviteOwnerForm()
    status = 200
    if request.method == "POST":
        if is_recipient:
            return _recipient_post(request, person, pending)
        answer = _owner_post(request, person, context)
        if answer is not None:
            return answer
        status = 400
    return render(request, "sharing/transfer.html", context, status=status)
