"""Who shares which person, for the operator to look at (a support question: "why can my
carer not see the results?"). Read-only: memberships, invitations and transfers change
through sharing.services, which keep exactly one owner, move "This is me" and the re-check
recipients, and write the emails; an edit here would skip all of that."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from rlsapp.tracking.memberships import Membership

from .models import Invitation, Transfer


class LookOnlyAdmin(admin.ModelAdmin):
    list_select_related = ["person"]
    search_fields = ["person__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # They go with their person or account (whose deletion checks this permission for
    # every row it takes), never on their own: no delete page, no bulk delete.
    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # No Delete link on the page, only to be refused.
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Membership)
class MembershipAdmin(LookOnlyAdmin):
    list_display = ["person", "account", "role", "gets_reminders", "created"]
    list_filter = ["role"]
    list_select_related = ["person", "account"]
    search_fields = ["person__name", "account__email"]


@admin.register(Invitation)
class InvitationAdmin(LookOnlyAdmin):
    list_display = ["person", "email", "role", "status", "created", "expires_at", "closed_at"]
    list_filter = ["status", "role"]
    search_fields = ["person__name", "email"]
    # The link's hash: useless to show.
    exclude = ["token_hash"]


@admin.register(Transfer)
class TransferAdmin(LookOnlyAdmin):
    list_display = ["person", "from_account", "to_account", "status", "created", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["person", "from_account", "to_account"]
