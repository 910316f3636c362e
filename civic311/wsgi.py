"""
WSGI config for civic311 project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/6.1/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civic311.settings")

application = get_wsgi_application()

# The ~130,000 objects made by loading Django and the project (modules, classes, URL patterns,
# templates' code) live as long as the worker. Left to the cyclic garbage collector, every full
# collection walks them all again (tens of milliseconds each, in the middle of some request);
# frozen, collections walk only what requests made. Measured at 1M in-process on staff pages:
# no ~55 ms full collection every few hundred requests, ~0.1 ms a request on average
# (docs/performance.md, "Round 5: the signed-in fixed cost"). Raising the young generation's
# threshold was measured too and not kept: fewer but longer collections, the same total.
gc.collect()
gc.freeze()
