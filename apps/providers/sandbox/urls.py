from django.urls import path

from apps.providers.sandbox.views import sandbox_dispatch

app_name = "provider_sandbox"

urlpatterns = [path("<path:path>", sandbox_dispatch, name="dispatch")]
