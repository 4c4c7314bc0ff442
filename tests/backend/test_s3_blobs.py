"""Document bytes in an S3-compatible bucket (issue #21), against moto's S3 server on 127.0.0.1
(a stand-in for the host's object store): what the data folder does, the bucket does, sealed."""

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidTag

from backend_stub.context import build_context
from backend_stub.core.config import Settings
from backend_stub.migrate import upgrade
from backend_stub.s3_blobs import S3BlobStore
from backend_stub.sealed_blobs import MasterKeys

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

MARKER = b"Compte rendu: diabete de type 2, HbA1c 7,2 %. " * 200


@pytest.fixture
def moto() -> Iterator[tuple[Any, str]]:
    """moto's S3 server on 127.0.0.1 with a bucket "documents": a client of it, and its URL."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        httpx.post(f"http://{host}:{port}/moto-api/reset").raise_for_status()  # one state per process
        client = boto3.client(
            "s3",
            endpoint_url=f"http://{host}:{port}",
            region_name="eu-west-3",
            aws_access_key_id="stand-in",
            aws_secret_access_key="stand-in",  # noqa: S106 (moto's local server takes any)
        )
        client.create_bucket(
            Bucket="documents", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
        yield client, f"http://{host}:{port}"
    finally:
        server.stop()


def _objects(client: Any) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket="documents").get("Contents", [])
    return {o["Key"]: client.get_object(Bucket="documents", Key=o["Key"])["Body"].read() for o in listed}


def test_resumable_writes_finish_and_read_back_sealed_in_the_bucket(moto: tuple[Any, str]) -> None:
    bucket, _ = moto
    blobs = S3BlobStore(bucket, "documents", MasterKeys.parse(MasterKeys.generate("k1")))
    half = len(MARKER) // 2
    assert blobs.write_at("doc1", 0, MARKER[:half]) == half
    assert blobs.write_at("doc1", half, b"a lost try") == half + 10
    assert blobs.write_at("doc1", half, MARKER[half:]) == len(MARKER)
    assert blobs.finish("doc1") == hashlib.sha256(MARKER).hexdigest()
    assert blobs.size("doc1") == len(MARKER)
    with blobs.open("doc1") as handle:
        assert handle.read() == MARKER
    blobs.put("doc2", b"%PDF-1.7 whole")
    assert blobs.sha256("doc2") == hashlib.sha256(b"%PDF-1.7 whole").hexdigest()
    stored = _objects(bucket)
    assert sorted(stored) == ["do/doc1", "do/doc1.key", "do/doc2", "do/doc2.key"]
    assert not any(b"diabete" in data or b"HbA1c" in data or b"whole" in data for data in stored.values())

    tampered = bytearray(stored["do/doc1"])
    tampered[-1] ^= 1
    bucket.put_object(Bucket="documents", Key="do/doc1", Body=bytes(tampered))
    with pytest.raises(InvalidTag):
        blobs.open("doc1")
    blobs.delete("doc1")
    assert sorted(_objects(bucket)) == ["do/doc2", "do/doc2.key"]
    with pytest.raises(FileNotFoundError):
        blobs.open("doc1")


def test_a_server_with_a_bucket_keeps_documents_there(
    moto: tuple[Any, str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket, url = moto
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "stand-in")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "stand-in")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    upgrade(settings.database_url)
    ctx = build_context(settings.model_copy(update={"s3_bucket": "documents", "s3_endpoint_url": url}))
    try:
        assert isinstance(ctx.blobs, S3BlobStore)
        ctx.blobs.put("upload1", MARKER)
        assert sorted(_objects(bucket)) == ["up/upload1", "up/upload1.key"]
        assert not (settings.data_dir / "blobs").exists()
    finally:
        ctx.engine.dispose()
