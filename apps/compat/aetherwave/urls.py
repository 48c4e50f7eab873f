"""AetherWave Studio's API (spec 003), mounted at /compat/aetherwave/."""

from django.urls import path

from apps.compat.aetherwave import views

urlpatterns = [
    path("api/generate-video", views.GenerateVideoView.as_view(), name="aetherwave-generate-video"),
    path(
        "api/generate-video/status/<str:task_id>",
        views.GenerateVideoStatusView.as_view(),
        name="aetherwave-generate-video-status",
    ),
    path(
        "api/video/remove-background",
        views.RemoveBackgroundView.as_view(),
        name="aetherwave-remove-background",
    ),
    path(
        "api/video/progress/<str:job_id>",
        views.VideoProgressView.as_view(),
        name="aetherwave-video-progress",
    ),
    path(
        "api/save-to-gallery", views.SaveToGalleryView.as_view(), name="aetherwave-save-to-gallery"
    ),
    path("api/video/pricing", views.VideoPricingView.as_view(), name="aetherwave-video-pricing"),
]
