from django.urls import path

from apps.compat.veo3 import views

# Before the deprecated videos/{video_id}, which would otherwise read "generate" as an id.
urlpatterns = [
    path("api/v1/videos/generate", views.Veo3GenerateView.as_view(), name="veo3-generate"),
    path("api/v1/tasks/<str:task_id>", views.Veo3TaskView.as_view(), name="veo3-task"),
    path("api/v1/videos/<str:video_id>", views.Veo3VideoView.as_view(), name="veo3-video"),
]
