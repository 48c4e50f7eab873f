from django.urls import path

from apps.catalog.api import views

urlpatterns = [
    path("models", views.ModelListView.as_view(), name="models"),
    # Model ids contain slashes (wavespeed-ai/hunyuan-video-1.5/text-to-video).
    path("models/<path:model_id>", views.ModelDetailView.as_view(), name="model-detail"),
    path("estimate-cost", views.EstimateCostView.as_view(), name="estimate-cost"),
]
