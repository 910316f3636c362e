"""django-q2 entry points for routing's periodic work: thin adapters over the services."""

from __future__ import annotations


def escalations_sweep() -> int:
    """Fire due escalation steps (scheduled every minute by setup_schedules)."""
    from routing.escalations import escalations_sweep as sweep

    return sweep()


def escalations_reschedule(
    policy_id: int | None = None, after_id: int = 0, batch: int = 2000
) -> int:
    """Recompute open requests' escalation times after an admin saves a policy, one batch per
    task: the next batch is queued as a task of its own."""
    from django_q.tasks import async_task

    from routing.escalations import escalations_reschedule as reschedule

    count, last_id = reschedule(policy_id=policy_id, after_id=after_id, batch=batch)
    if last_id is not None:
        async_task("routing.tasks.escalations_reschedule", policy_id, last_id, batch)
    return count


def scores_refresh() -> int:
    """Re-score open requests whose score grows with age (scheduled hourly by setup_schedules)."""
    from routing.scoring import scores_refresh as refresh

    return refresh()
