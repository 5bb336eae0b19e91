"""The owner's list of results saved before regions that read differently now."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from rlsapp.domain import entry, formats

from .. import stored_values
from ..models import LabResult


def _whole(text) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²', which int() refuses."""
    return isinstance(text, str) and text.isascii() and text.isdigit()


@login_required
@require_http_methods(["GET", "POST"])
def stored_values_check(request):
    region = request.user.region_rules
    mine = {"draw__patient__owner": request.user, "draw__patient__deleted_at__isnull": True}
    if request.method == "POST":
        result = get_object_or_404(
            LabResult.objects.filter(calculated=False, **mine).select_related("draw__patient"),
            pk=request.POST.get("result") if _whole(request.POST.get("result")) else None,
        )
        again = entry.reread(
            result.analyte, result.entered_value, result.entered_unit, result.value, region
        )
        choices = [result.value, *(again.readings if again else ())]
        choice = request.POST.get("choice", "")
        if (
            again is None
            or request.POST.get("entered") != result.entered_value
            or not _whole(choice)
            or int(choice) >= len(choices)
        ):
            messages.info(request, "That result was settled already; here is the list as it is.")
            return redirect("stored_values_check")
        value = choices[int(choice)]
        stored_values.settle(result, value, region)
        when = formats.format_date(result.draw.drawn_on, region)
        messages.success(
            request,
            f"{result.info.label} of {when} for {result.draw.patient.name}: saved as "
            f"{stored_values.shown(value, result.analyte, region)}.",
        )
        return redirect("stored_values_check")
    rows = []
    for item in stored_values.results_to_check(mine, lambda _owner: region):
        result = item.result
        options = [(0, stored_values.shown(result.value, result.analyte, region) + " (as saved)")]
        options += [
            (i, stored_values.shown(v, result.analyte, region))
            for i, v in enumerate(item.readings, start=1)
            if abs(v - result.value) > 1e-9 * max(1.0, abs(v))
        ]
        rows.append(
            {
                "result": result,
                "date": formats.format_date(result.draw.drawn_on, region),
                "options": options,
            }
        )
    context = {"rows": rows, "region": region, "limit": stored_values.LIMIT}
    return render(request, "tracking/stored_values.html", context)
