"""OpenAI's Videos API, mounted at /v1/ (config/urls.py); see docs/compat.md."""

from django.urls import path, re_path

from apps.compat.openai import views

urlpatterns = [
    path("videos", views.VideosView.as_view(), name="openai-videos"),
    path("videos/extensions", views.VideoExtensionsView.as_view(), name="openai-video-extensions"),
    path("videos/edits", views.VideoEditsView.as_view(), name="openai-video-edits"),
    path("videos/<str:video_id>", views.VideoDetailView.as_view(), name="openai-video"),
    path(
        "videos/<str:video_id>/content",
        views.VideoContentView.as_view(),
        name="openai-video-content",
    ),
    path("videos/<str:video_id>/remix", views.VideoRemixView.as_view(), name="openai-video-remix"),
    # Everything else under /v1/ (chat, files, video characters, ...): OpenAI's 404.
    re_path(r"^.*$", views.UnknownView.as_view(), name="openai-unknown"),
]
