"""Settings for the drills' worker processes: the real settings, with a short broker retry so a
killed cluster's unacknowledged tasks come back within the drill's time (production: 120 s)."""

from __future__ import annotations

from civic311.settings import *  # noqa: F403
from civic311.settings import Q_CLUSTER

Q_CLUSTER = {**Q_CLUSTER, "retry": 20, "timeout": 15, "workers": 2, "poll": 0.2}
