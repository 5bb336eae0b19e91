"""The queries over lab results that pages share: the newest value of each test for any
number of people, a person page's recent draws with the newest of each test, a series."""

from django.db import models
from django.db.models import F
from django.db.models.functions import DenseRank, RowNumber

from . import compiled


class LabResultQuerySet(models.QuerySet):
    def latest_of(self, patient_ids, analytes=None) -> dict[int, dict]:
        """The one "latest values" query: {person id: {analyte: newest result}} for any
        number of people, each result with its draw (the newest date wins, then the
        later-entered draw). The page, the emails and the report all read it."""
        found = (
            self.filter(draw__patient__in=patient_ids)
            .filter(**({"analyte__in": analytes} if analytes else {}))
            .select_related("draw")
            .annotate(
                rank=models.Window(
                    RowNumber(),
                    partition_by=[F("draw__patient_id"), F("analyte")],
                    order_by=[F("draw__drawn_on").desc(), F("draw_id").desc()],
                )
            )
            .filter(rank=1)
        )
        latest: dict[int, dict] = {pk: {} for pk in patient_ids}
        for result in found:
            latest.setdefault(result.draw.patient_id, {})[result.analyte] = result
        return latest

    def recent_and_latest(self, patient, draws: int):
        """A person page's results in one query: every result of the newest `draws` draws
        (each draw with its results attached) and the newest result of each analyte, which
        carries its analyte's count, first day and results left out by hand (n, first,
        left_out). Returns (draws newest first, whether older draws exist, {analyte: result}).

        Its SQL is compiled once (compiled.py) from the manager's own queryset: call it on
        LabResult.objects, as a filter in front of it would not be in the kept text."""
        if self.query.has_filters():
            raise ValueError("recent_and_latest reads from LabResult.objects only")
        found = compiled.found(
            f"recent-and-latest-{draws}",
            lambda person: self._recent_and_latest(person, draws),
            # Every parameter is an id or an integer Django typed (the CASE's 0 and 1).
            prepared=True,
            person=patient.pk,
        )
        klass_info = found.compiler.klass_info
        result_of = compiled.maker(found, klass_info)
        draw_of = compiled.maker(found, klass_info["related_klass_infos"][0])
        at = found.compiler.annotation_col_map
        annotations = at.items()
        analyte_rank, draw_rank = at["analyte_rank"], at["draw_rank"]
        set_draw = self.model.draw.field.set_cached_value
        # One draw instance for all its results (a row per result repeats the draw's
        # columns); the draw past the newest `draws` only tells that there are more.
        drawn, recent, latest, more = {}, [], {}, False
        for row in found.rows:
            rank = row[draw_rank]
            newest = row[analyte_rank] == 1
            if rank > draws:
                more = True
                if not newest:
                    continue
            result = result_of(row)
            for name, position in annotations:
                setattr(result, name, row[position])
            draw = drawn.get(rank)
            if draw is None:
                draw = drawn[rank] = draw_of(row)
                if rank <= draws:
                    draw.preloaded_results = []
                    recent.append(draw)
            set_draw(result, draw)
            if rank <= draws:
                draw.preloaded_results.append(result)
            if newest:
                latest[result.analyte] = result
        return recent, more, latest

    def _recent_and_latest(self, person, draws):
        by_analyte = {"partition_by": [F("analyte")]}
        left_out = models.Case(
            models.When(draw__left_out_reason="", then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return (
            self.filter(draw__patient_id=person)
            .select_related("draw")
            .annotate(
                analyte_rank=models.Window(
                    RowNumber(),
                    order_by=[F("draw__drawn_on").desc(), F("draw_id").desc()],
                    **by_analyte,
                ),
                n=models.Window(models.Count("pk"), **by_analyte),
                first=models.Window(models.Min("draw__drawn_on"), **by_analyte),
                left_out=models.Window(models.Sum(left_out), **by_analyte),
                draw_rank=models.Window(
                    DenseRank(), order_by=[F("draw__drawn_on").desc(), F("draw_id").desc()]
                ),
            )
            .filter(models.Q(analyte_rank=1) | models.Q(draw_rank__lte=draws + 1))
            .order_by("-draw__drawn_on", "-draw_id", "pk")
        )

    def ferritin_series(self, patient):
        return (
            self.filter(draw__patient=patient, analyte="ferritin")
            .select_related("draw")
            .order_by("draw__drawn_on", "draw_id")
        )
