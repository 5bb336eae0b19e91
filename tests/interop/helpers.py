from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

DATA = Path(__file__).resolve().parent.parent / "data"


def data_file(name):
    return (DATA / name).read_bytes()


def upload(name, content, content_type="text/csv"):
    return SimpleUploadedFile(name, content, content_type=content_type)
