"""Leave a draw out of the decline fits, or put it back (issue 12 item 5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import access, lab_entry, services
from ..forms import CONFLICT_MESSAGE
from ..leave_out_form import LeaveOutForm, PutBackForm


def _draw_page(form_class, template, done):
    """A view that shows `form_class` for one draw and, once saved, says `done(draw)`."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        draw = access.get_draw_for_user(request, pk)
        form = form_class(request.POST or None, draw=draw)
        if request.method == "POST" and form.is_valid():
            try:
                form.save()
            except services.EditConflict:
                form.add_error(None, CONFLICT_MESSAGE)
            else:
                messages.success(request, done(draw))
                return redirect(draw.patient)
        context = {
            "form": form,
            "draw": draw,
            "patient": draw.patient,
            "summary": lab_entry.draw_summary(draw, request.user.region_rules),
        }
        return render(request, template, context)

    return view


draw_leave_out = _draw_page(
    LeaveOutForm,
    "tracking/draw_leave_out.html",
    lambda d: f"The draw is {d.left_out_words}: it stays in the tables, out of the fits.",
)
draw_put_back = _draw_page(
    PutBackForm, "tracking/draw_put_back.html", lambda d: "The draw is back in the decline fits."
)
