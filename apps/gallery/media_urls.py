"""Mounted at /media-signed/ (config/urls.py): token-authorised media for local disk."""

from django.urls import path

from apps.gallery import views

urlpatterns = [
    path("put/<str:token>", views.signed_put, name="media-signed-put"),
    path("hls/<str:token>/<str:name>", views.signed_hls, name="media-hls"),
    path("<str:token>", views.signed_media, name="media-signed"),
]
