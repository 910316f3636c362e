"""What each kind of message is about, in words (the staff request page's message log, the dev
mailbox): the outbox stores the kind's code (`OutboxMessage.template`)."""

from __future__ import annotations

from django.utils.translation import get_language_info
from django.utils.translation import gettext as _


def message_kind_labels() -> dict[str, str]:
    """Every kind's label in the active language."""
    return {
        "received": _("Report received"),
        "routed": _("Routed"),
        "in_progress": _("In progress"),
        "waiting_on_resident": _("Question for the resident"),
        "onsite_attempt": _("On-site visit"),
        "comment": _("Public comment"),
        "resolved": _("Resolved"),
        "reopened": _("Reopened"),
        "merged": _("Merged into another request"),
        "follow_confirm": _("Follow confirmation"),
        "survey": _("Closure survey"),
        "sms_reply": _("Text message reply"),
        "staff_new_request": _("Staff: new request"),
        "staff_assigned_to_me": _("Staff: assigned"),
        "staff_resident_replied": _("Staff: resident replied"),
        "staff_escalation": _("Staff: escalation"),
        "staff_survey_not_fixed": _("Staff: survey says not fixed"),
        "staff_digest": _("Staff: digest"),
    }


def message_kind_label(kind: str) -> str:
    """The kind's label, or its code for a kind this list does not know."""
    return message_kind_labels().get(kind, kind)


def language_label(code: str) -> str:
    """A message's language by its name in the active language ("Spanish", "español"), or the
    code as stored when Django does not know it."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code
