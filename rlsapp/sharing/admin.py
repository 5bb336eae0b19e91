"""Who shares which person, for the operator to look at (a support question: "why can my
carer not see the results?"). Read-only: memberships, invitations and transfers change
through sharing.services, which keep exactly one owner, move "This is me" and the re-check
recipients, and write the emails; an edit here would skip all of that."""

from django.contrib import admin

from rlsapp.tracking.admin import GoesWithItsOwner
from rlsapp.tracking.memberships import Membership

from .models import Invitation, Transfer


class LookOnlyAdmin(GoesWithItsOwner, admin.ModelAdmin):
    """They go with their person or account, never on their own (GoesWithItsOwner)."""

    list_select_related = ["person"]
    search_fields = ["person__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
