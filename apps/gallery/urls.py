from django.urls import path

from apps.gallery import pages

app_name = "gallery"

urlpatterns = [
    path("", pages.gallery_page, name="list"),
    # Before <asset_id>/: "public" is never an asset id (those are ast_…).
    path("public/", pages.public_feed, name="public"),
    path("public/<str:asset_id>/", pages.share_page, name="share"),
    path("public/<str:asset_id>/report/", pages.share_report, name="share-report"),
    path("<str:asset_id>/", pages.asset_page, name="detail"),
    path("<str:asset_id>/title/", pages.asset_title, name="title"),
    path("<str:asset_id>/save/", pages.asset_save, name="save"),
    path("<str:asset_id>/visibility/", pages.asset_visibility, name="visibility"),
    path("<str:asset_id>/favorite/", pages.asset_favorite, name="favorite"),
    path("<str:asset_id>/delete/", pages.asset_delete, name="delete"),
]
