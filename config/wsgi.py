import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
# Import every view module now rather than on the first request, then move everything
# loaded so far (Django, the apps, their modules: about 260,000 objects, all as long-lived
# as the process) out of the garbage collector's way: its full collections then walk only
# what requests allocate (issue 19: about 50 µs a request on the bare view, more on the
# allocation-heavier authenticated path).
get_resolver().url_patterns  # noqa: B018 (imports the URLconf and its views)
gc.freeze()
