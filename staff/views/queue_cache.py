"""The queue's rendered rows and counters, kept per process and shared by everyone who sees
the same queue the same way.

Why: a department's queue is open on many agents' screens at once, each refreshing it every
20 seconds, and the rows (one query, 50 model instances, ages and their HTML) and the counters
were most of the Python a queue load cost. What they show depends only on the key below, not on
who asks, so one rendering per minute-or-change serves them all.

What the key holds, and why each part is enough (the refresh's ETag, staff.views.queue._poll_etag,
states the same dependencies):

1. The tally's stamp (staff.queue_tally): it changes with every committed write to the scope's
   requests, and the rows and counters are read after it, so an entry is never older than its
   stamp. A status, assignment or priority change moves it: the next load renders again. (An
   entry made inside a transaction that then rolls back holds a stamp no committed state can
   repeat: it names the highest tally row id, and ids come from a sequence.)
2. The UTC minute: ages, "time left", "overdue" and "due today" move with the clock. Within a
   minute a load may show the minute's first rendering (what the 304 refresh already does).
3. The config stamp (requests_app.configcache): category, area and team names and the
   department tabs come from the per-process copies it guards; an admin's rename shows at once.
4. The active language and time zone.
5. The resolved filters (scope, department, every filter, sort, view and page), the scope's
   departments, and the user for "my requests" (the only scope whose rows depend on who asks).
6. The rights that change the rows' HTML: whether the user gets the tick boxes at all, and
   which departments' rows they may tick (all of them for a city admin).
7. The ticked rows (`ids=` in the URL), which come back ticked.

Not in the key: a staff member's name edited in the admin (users are not under the config
stamp) shows on the assigned rows within the minute, as with the 304 refresh.

Bounded: least recently used entries go once the kept HTML passes MAX_BYTES (an entry from a
past minute or stamp is never asked for again, so it ages out).

The whole page (`/staff/` and its filtered and paged addresses, not the HTMX fragments) is kept
too, in PAGE_CACHE, per person: rendering staff/queue.html around the kept rows (the layout's
blocks, the filters, the links with the query string) was over half of a load from the cache.
Its key (page_key) is the rows' key above plus what else the page shows: the people to assign to
(read on every load), the address, and what the header shows of the user (name, on duty, staff
and admin rights, departments). The CSRF token is left as a slot and filled per request (one
masked token a page, as before), and a load with messages waiting renders afresh (the template
shows, and so uses, them). Apart from the rows, so the pages of many people cannot push out the
renderings they share."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from requests_app.configcache import config_stamp_now
from staff import selectors

MAX_BYTES = 8 * 1024 * 1024
# About fifty whole pages (~75 KB each at 50 rows).
PAGE_MAX_BYTES = 4 * 1024 * 1024


class RenderCache:
    """A least-recently-used map bounded by the size its callers declare for each value."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Any, tuple[int, Any]] = OrderedDict()
        self._bytes = 0
        # Sync workers run one request at a time; a threaded server (runserver) does not.
        self._lock = threading.Lock()

    def get(self, key) -> Any | None:
        if key is None:
            return None
        with self._lock:
            held = self._items.get(key)
            if held is None:
                return None
            self._items.move_to_end(key)
            return held[1]

    def put(self, key, value, size: int) -> None:
        if key is None or size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[0]
            self._items[key] = (size, value)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, (gone, _value) = self._items.popitem(last=False)
                self._bytes -= gone

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


QUEUE_CACHE = RenderCache(MAX_BYTES)
PAGE_CACHE = RenderCache(PAGE_MAX_BYTES)


def queue_cache_clear() -> None:
    """Forget every kept rendering (tests whose rolled-back writes could repeat a stamp)."""
    QUEUE_CACHE.clear()
    PAGE_CACHE.clear()


def rows_rights(staff, scope: selectors.QueueScope, *, may_act: bool) -> str | tuple[int, ...]:
    """What of the user's rights the rows' HTML shows: no tick boxes ("view"), a box on every
    row ("all", a city admin), or boxes on the rows of these departments (StaffProfile.
    can_work_on, narrowed to the scope's departments so members of one department share)."""
    if not may_act:
        return "view"
    if staff.is_city_admin:
        return "all"
    ids = staff.department_ids()
    if scope.department_ids is not None:
        ids = ids & scope.department_ids
    return tuple(sorted(ids))


def queue_key_base(
    *, scope: selectors.QueueScope, user, now, rights, selected: set[int]
) -> tuple | None:
    """Every part of the key but the tally's stamp (see the module's docstring); None when there
    is no config stamp to key by (then nothing is kept)."""
    config = config_stamp_now()
    if config is None:
        return None
    f = scope.filters
    return (
        now.strftime("%Y%m%d%H%M"),
        config,
        timezone.get_current_timezone_name(),
        get_language() or "",
        f,
        scope.department_ids,
        user.pk if f.scope == selectors.SCOPE_MINE else None,
        rights,
        tuple(sorted(selected)),
    )


def page_key(request: HttpRequest, *, rows_key: tuple | None, people: tuple) -> tuple | None:
    """The whole page's key (see the module's docstring): None when the rows are not kept."""
    if rows_key is None:
        return None
    user, staff = request.user, request.staff
    return (
        rows_key,
        people,
        request.get_full_path(),
        # What staff/base.html shows of the user: the name, the duty switch, the admin and
        # mailbox links; the departments and role decide the scope's tabs and the bulk panel.
        user.pk,
        user.get_full_name(),
        user.get_username(),
        user.is_staff,
        staff.pk,
        staff.on_duty,
        staff.role,
        staff.is_city_admin,
        tuple(sorted(staff.department_ids())),
        settings.DEV_MAILBOX,
    )
