"""Each member chooses whose re-check reminders they get (Membership.gets_reminders): one
form on the Reminders page, with a tick per person, and one button for a clinician to take
(or drop) them for every person they can edit. What a tick means is read by the sender
and the calendar feed (reminders/recipients.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from . import services


def _ids(values):
    """The ids of a posted list; anything else is ignored (the form only offers ids)."""
    return {int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 12}


@login_required
@require_POST
def choose(request):
    action = request.POST.get("action", "")
    if action in ("take_editable", "drop_editable"):
        on = action == "take_editable"
        changed = services.set_gets_reminders_where_editing(request.user, on)
        messages.success(
            request,
            f"You now get the re-check reminders of every person you can edit ({changed} changed)."
            if on
            else f"You no longer get the re-check reminders of the people you can edit "
            f"({changed} changed).",
        )
        return redirect("reminders")
    shown = _ids(request.POST.getlist("shown"))
    ticked = _ids(request.POST.getlist("gets")) & shown
    services.set_gets_reminders(request.user, ticked, True)
    services.set_gets_reminders(request.user, shown - ticked, False)
    messages.success(request, "Saved whose re-check reminders you get.")
    return redirect("reminders")
