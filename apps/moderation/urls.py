from django.urls import path

from apps.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("<str:case_id>/decide/", views.case_decide, name="decide"),
]
