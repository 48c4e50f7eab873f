from django.urls import path

from apps.gallery.api import views

urlpatterns = [
    path("uploads", views.UploadView.as_view(), name="uploads"),
    path("uploads/direct", views.UploadDirectView.as_view(), name="uploads-direct"),
    path(
        "uploads/direct/<str:upload_id>/complete",
        views.UploadDirectCompleteView.as_view(),
        name="uploads-direct-complete",
    ),
    path("gallery", views.GalleryListView.as_view(), name="gallery"),
    path("gallery/public", views.GalleryPublicView.as_view(), name="gallery-public"),
    path("gallery/<str:asset_id>", views.GalleryDetailView.as_view(), name="gallery-detail"),
    path("gallery/<str:asset_id>/report", views.GalleryReportView.as_view(), name="gallery-report"),
]
