"""Media from S3: read from the configured bucket of a real S3-compatible server (moto in
server mode on loopback), in the background, through to ``image`` with its md5."""
from __future__ import annotations

import uuid

import pytest

from app.projects import s3 as s3_module

from .helpers import SAMPLE, md5, mp4_header, png


@pytest.fixture
def bucket(app, s3_endpoint):
    import boto3

    name = f"media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=name)
    app.config.update({
        "PROJECTS_S3_ENDPOINT_URL": s3_endpoint,
        "PROJECTS_S3_BUCKET": name,
        "PROJECTS_S3_REGION": "us-east-1",
        "PROJECTS_S3_ACCESS_KEY_ID": "testing",
        "PROJECTS_S3_SECRET_ACCESS_KEY": "testing",
        "PROJECTS_S3_ADDRESSING_STYLE": "path",
    })
    return client, name


def import_s3(projects, project_id, key, filename="jpgfile.jpg"):
    asset = projects.create_asset(project_id, {**SAMPLE, "s3": {"s3_key": key,
                                                                "filename": filename}})
    assert asset["media_type"] == "processing"
    assert asset["original_filename"] == filename
    return projects.wait_for_import(asset["id"])


def test_an_s3_image_becomes_an_image_with_its_md5(projects, project_id, bucket, repository):
    client, name = bucket
    data = png(31, 17)
    client.put_object(Bucket=name, Key="uploads/pic.png", Body=data, ContentType="image/png")
    asset = import_s3(projects, project_id, "uploads/pic.png", "pic.png")
    assert asset["media_type"] == "image"
    assert asset["md5_sum"] == md5(data)
    assert "media_error" not in asset
    node = repository.get_by_id(asset["id"])
    assert repository.blobs.path_of(node.blob.sha256).read_bytes() == data


def test_an_s3_video(projects, project_id, bucket):
    client, name = bucket
    client.put_object(Bucket=name, Key="clip.mp4", Body=mp4_header())
    assert import_s3(projects, project_id, "clip.mp4", "clip.mp4")["media_type"] == "video"


def test_a_missing_s3_object_marks_the_asset(projects, project_id, bucket):
    asset = import_s3(projects, project_id, "no/such/key.png")
    assert asset["media_type"] == "placeholder"
    assert asset["media_error"] == ("there is no object with the key 'no/such/key.png' in "
                                    "the S3 bucket")


def test_an_s3_object_over_the_size_cap_is_refused(app, projects, project_id, bucket):
    client, name = bucket
    client.put_object(Bucket=name, Key="big.bin", Body=b"z" * 4096)
    app.config["PROJECTS_FETCH_MAX_BYTES"] = 1024
    asset = import_s3(projects, project_id, "big.bin")
    assert asset["media_error"] == "the file is larger than the limit of 1024 bytes"


def test_s3_without_a_bucket_setting_is_400_and_the_asset_exists(projects, project_id,
                                                                 pending_imports):
    response = projects.post(f"/api/v2/projects/{project_id}/assets", {
        **SAMPLE, "s3": {"s3_key": "a.png", "filename": "a.png"}})
    assert response.status_code == 400
    message = response.get_json()["error"]
    assert message.startswith("Asset ")
    assert message.endswith(" created, adding media to asset failed: S3 import is not "
                            "configured on this server")
    asset_id = message.split()[1]
    assert projects.asset(asset_id)["media_type"] == "placeholder"
    assert pending_imports() == []


def test_s3_without_boto3_is_400(app, projects, project_id, monkeypatch, pending_imports):
    app.config["PROJECTS_S3_BUCKET"] = "configured"
    monkeypatch.setattr(s3_module, "boto3_installed", lambda: False)
    response = projects.post(f"/api/v2/projects/{project_id}/assets", {
        **SAMPLE, "s3": {"s3_key": "a.png", "filename": "a.png"}})
    assert response.status_code == 400
    assert response.get_json()["error"].endswith(
        "adding media to asset failed: S3 import needs boto3 on the server (install the "
        "'s3' extra)")
    assert pending_imports() == []


NO_BOTO3 = r'''
import sys, tempfile

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("boto3", "botocore"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, Block())
from app import create_app
from app.projects import init_app

folder = tempfile.mkdtemp()
app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder}/a.db",
                  "BLOB_ROOT": folder + "/blobs", "ADMIN_PASSWORD": "x",
                  "PROJECTS_S3_BUCKET": "configured"})
if "projects" not in app.blueprints:
    init_app(app)
accounts = app.extensions["accounts"]
accounts.create_user("u", None, email="u@example.com")
app.extensions["repository"].access.modify(("projects",), "u", granted=4)  # jcr:addChildNodes
key = {"X-API-KEY": accounts.create_token("u")}
client = app.test_client()
project = client.post("/api/v2/projects", json={"title": "p"}, headers=key).get_json()
response = client.post(f"/api/v2/projects/{project['project']['id']}/assets",
                       json={"title": "t", "s3": {"s3_key": "k", "filename": "f"}}, headers=key)
print(response.status_code, response.get_json()["error"].split(": ", 1)[1])
print("boto3" in sys.modules, "botocore" in sys.modules)
'''


def test_the_server_runs_without_boto3():
    """boto3 is an optional extra: without it the API works and S3 imports say why not."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", NO_BOTO3], cwd=root, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "400 S3 import needs boto3 on the server (install the 's3' extra)", "False False"]
