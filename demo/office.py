"""Canned responses for the demo city's staff (its calendar and service levels are in the city
pack)."""

from __future__ import annotations

from requests_app.models import ClosureReason, ResponseTemplate

RESPONSE_TEMPLATES = (
    # name, closure reason code or None, English, Spanish
    (
        "Crew scheduled",
        None,
        "Thanks for your report. A crew is scheduled to look at this within the next few days.",
        "Gracias por su reporte. Un equipo revisará esto en los próximos días.",
    ),
    (
        "Need a photo",
        None,
        "We couldn't find the problem at this location. Could you add a photo or more details "
        "using the link in your confirmation email?",
        "No encontramos el problema en este lugar. ¿Puede agregar una foto o más detalles con "
        "el enlace de su correo de confirmación?",
    ),
    (
        "Repaired — thanks",
        "repaired",
        "Our crew repaired this today. Thank you for helping keep the city in good shape.",
        "Nuestro equipo lo reparó hoy. Gracias por ayudar a mantener la ciudad en buen estado.",
    ),
)


def office_seed() -> None:
    """The response templates; after the city (they refer to its closure reasons). Idempotent."""
    for name, reason_code, body, body_es in RESPONSE_TEMPLATES:
        ResponseTemplate.objects.update_or_create(
            name=name,
            defaults={
                "closure_reason": ClosureReason.objects.filter(code=reason_code).first(),
                "body": body,
                "body_es": body_es,
                "active": True,
            },
        )
