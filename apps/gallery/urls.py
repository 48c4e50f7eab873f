from django.urls import path

from apps.gallery import views

app_name = "gallery"

urlpatterns = [
    path("", views.gallery_page, name="list"),
    path("<str:asset_id>/", views.asset_page, name="detail"),
    path("<str:asset_id>/visibility/", views.asset_visibility, name="visibility"),
    path("<str:asset_id>/favorite/", views.asset_favorite, name="favorite"),
    path("<str:asset_id>/delete/", views.asset_delete, name="delete"),
]
