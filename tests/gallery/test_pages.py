from django.test import Client

from apps.gallery import services
from apps.gallery.models import Asset


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_the_gallery_page_shows_the_limit_thumbnails_and_filters(alice, mp4, png):
    video = services.asset_create_from_file(
        workspace=alice.workspace, owner=alice.user, path=mp4, title="Clip one"
    )
    services.asset_create_from_file(workspace=alice.workspace, owner=alice.user, path=png)
    page = logged_in(alice).get("/gallery/?view=uploads")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-max-bytes="104857600"' in html
    assert "100.0\xa0MB" in html
    assert "Clip one" in html
    assert "/media-signed/" in html and "js/upload.js" in html
    assert '<a href="/gallery/">Gallery</a>' in html
    only_images = logged_in(alice).get("/gallery/?view=all&kind=image").content.decode()
    assert "Clip one" not in only_images
    detail = logged_in(alice).get(f"/gallery/{video.public_id}/").content.decode()
    assert "<video" in detail and 'data-testid="player"' in detail


def test_visibility_toggle_and_delete_from_the_page(alice, png, django_capture_on_commit_callbacks):
    asset = services.asset_create_from_file(workspace=alice.workspace, path=png, saved=True)
    client = logged_in(alice)
    response = client.post(
        f"/gallery/{asset.public_id}/visibility/", {"visibility": "public", "next": "/gallery/"}
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.visibility == "public"
    client.post(f"/gallery/{asset.public_id}/favorite/")
    asset.refresh_from_db()
    assert asset.favorite
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/gallery/{asset.public_id}/delete/")
    assert not Asset.objects.exists()


def test_charlie_gets_404_on_alices_pages(alice, charlie, png):
    asset = services.asset_create_from_file(workspace=alice.workspace, path=png)
    client = logged_in(charlie)
    for url in ("", "visibility/", "favorite/", "delete/"):
        method = client.get if not url else client.post
        assert method(f"/gallery/{asset.public_id}/{url}").status_code == 404
    assert asset.public_id not in client.get("/gallery/").content.decode()
    assert Asset.objects.filter(pk=asset.pk, visibility="private").exists()


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/gallery/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
