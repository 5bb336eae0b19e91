from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

DATA = Path(__file__).resolve().parent.parent / "data"


def data_file(name):
    return (DATA / name).read_bytes()


def upload(name, content, content_type="text/csv"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_file(client, patient, name, content=None, date_order="auto"):
    """Upload a file to the person's import page; without `content`, tests/data/<name>."""
    if content is None:
        content = data_file(name)
    return client.post(
        reverse("patient_import", args=[patient.pk]),
        {"file": upload(name, content), "date_order": date_order},
    )


def preview_url(response):
    """The preview an upload redirected to (and the page that said why, if it did not)."""
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def preview(client, patient, name, content=None):
    """Upload a file and open its preview: (the preview's address, its page)."""
    url = preview_url(post_file(client, patient, name, content))
    return url, client.get(url).content.decode()
