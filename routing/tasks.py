"""django-q2 entry points for routing's periodic work: thin adapters over the services."""

from __future__ import annotations

# One sweep does at most this much work; if steps are still due, it queues the next sweep at once.
SWEEP_BUDGET_SECONDS = 0.8


def escalations_sweep() -> int:
    """Fire due escalation steps (scheduled every minute by setup_schedules)."""
    from django_q.tasks import async_task

    from routing.escalations import escalations_due_exist
    from routing.escalations import escalations_sweep as sweep

    fired = sweep(budget_seconds=SWEEP_BUDGET_SECONDS)
    if fired and escalations_due_exist():
        async_task("routing.tasks.escalations_sweep", task_name="escalation-sweep-more")
    return fired


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


def scores_backfill(after_id: int = 0, batch: int = 500) -> int:
    """Score never-scored open requests, one batch per task, queueing the next batch itself."""
    from django_q.tasks import async_task

    from routing.scoring import scores_backfill as backfill

    count, last_id = backfill(after_id=after_id, batch=batch)
    if last_id is not None:
        async_task("routing.tasks.scores_backfill", last_id, batch)
    return count
