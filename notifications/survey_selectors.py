"""Reads about closure surveys: one survey by its link, and the results that feed reporting."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Avg, Count, Q, QuerySet

from notifications.models import Survey
from requests_app.models import Department


def survey_by_token(*, token: str) -> Survey | None:
    return (
        Survey.objects.select_related("request__category").filter(token=token).first()
        if token
        else None
    )


def _summary(rows: QuerySet) -> dict:
    totals = rows.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        fixed=Count("pk", filter=Q(answered_at__isnull=False, fixed=True)),
        mean=Avg("satisfaction", filter=Q(answered_at__isnull=False)),
    )
    return _shape(totals)


def _shape(totals: dict) -> dict:
    answered = totals["answered"] or 0
    return {
        "sent": totals["sent"] or 0,
        "answered": answered,
        "fixed": totals["fixed"] or 0,
        "fixed_pct": round(100 * totals["fixed"] / answered, 1) if answered else None,
        "mean_satisfaction": round(totals["mean"], 2) if totals["mean"] is not None else None,
    }


def survey_results(*, since: datetime | None = None, department: Department | None = None) -> dict:
    """Closure survey results for reporting: surveys sent and answered, the share that said
    fixed and the mean satisfaction (1-5), overall and by department and by category (the
    request's department and category now). ``since`` counts surveys sent from then on."""
    rows = Survey.objects.all()
    if since is not None:
        rows = rows.filter(sent_at__gte=since)
    if department is not None:
        rows = rows.filter(request__department=department)

    def grouped(key: str) -> list[dict]:
        fields = (f"request__{key}_id", f"request__{key}__name")
        out = []
        for row in (
            rows.values(*fields)
            .annotate(
                sent=Count("pk"),
                answered=Count("pk", filter=Q(answered_at__isnull=False)),
                fixed=Count("pk", filter=Q(answered_at__isnull=False, fixed=True)),
                mean=Avg("satisfaction", filter=Q(answered_at__isnull=False)),
            )
            .order_by(*fields)
        ):
            out.append({f"{key}_id": row[fields[0]], key: row[fields[1]], **_shape(row)})
        return out

    return {
        **_summary(rows),
        "by_department": grouped("department"),
        "by_category": grouped("category"),
    }
