"""django-q2 entry points for routing's periodic work: thin adapters over the services."""

from __future__ import annotations


def escalations_sweep() -> int:
    """Fire due escalation steps (scheduled every minute by setup_schedules)."""
    from routing.escalations import escalations_sweep as sweep

    return sweep()


def escalations_reschedule(policy_id: int | None = None) -> int:
    """Recompute open requests' escalation times after an admin saves a policy."""
    from routing.escalations import escalations_reschedule as reschedule

    return reschedule(policy_id=policy_id)


def scores_refresh() -> int:
    """Re-score open requests whose score grows with age (scheduled hourly by setup_schedules)."""
    from routing.scoring import scores_refresh as refresh

    return refresh()
