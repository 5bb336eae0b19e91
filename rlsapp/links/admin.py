from django.contrib import admin

from .models import ReadOnlyLink


@admin.register(ReadOnlyLink)
class ReadOnlyLinkAdmin(admin.ModelAdmin):
    list_display = ["person", "label", "created", "expires", "revoked_at"]
    list_select_related = ["person"]
    raw_id_fields = ["person", "made_by"]
    # The token's hash: useless to show, and not typed in by hand.
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False
