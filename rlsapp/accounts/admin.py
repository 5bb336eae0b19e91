from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from rlsapp.tracking import services
from rlsapp.tracking.memberships import owned_and_shared

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = AdminUserCreationForm
    form = AdminUserChangeForm
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "email_confirmed",
        "is_staff",
        "date_joined",
    ]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email_reminders"]}),
        (
            "Permissions",
            {
                "fields": [
                    "is_active",
                    "email_confirmed",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]},
        )
    ]

    # Deleting an account here is what the account's own "Delete account" does
    # (services.erase_account: its people with their records and history, the shared
    # people's pages told), and its page names the people other accounts would lose.
    # One account at a time, so that warning is always seen.
    def delete_model(self, request, obj):
        services.erase_account(obj)

    def delete_queryset(self, request, queryset):
        for account in queryset:
            services.erase_account(account)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def render_delete_form(self, request, context):
        context["shared_owned"] = owned_and_shared(context["object"])
        return super().render_delete_form(request, context)
