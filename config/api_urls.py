"""Everything under /api/v1/ (namespace "api")."""

from apps.accounts.api import urls as accounts
from apps.billing.api import urls as billing
from apps.catalog.api import urls as catalog
from apps.gallery.api import urls as gallery
from apps.jobs.api import urls as jobs
from apps.moderation.api import urls as moderation
from apps.providers.api import urls as providers
from apps.webhooks.api import urls as webhooks

app_name = "api"

# One flat list, not an include() per app: Django builds a match object at every level of
# nesting it resolves through, and tries patterns in order. Jobs first: the status poll and
# submit are the API's hottest routes (issue 19).
urlpatterns = [
    *jobs.urlpatterns,
    *accounts.urlpatterns,
    *billing.urlpatterns,
    *catalog.urlpatterns,
    *gallery.urlpatterns,
    *moderation.urlpatterns,
    *providers.urlpatterns,
    *webhooks.urlpatterns,
]
