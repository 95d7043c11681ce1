"""npm tarballs: checked against their published hash, unpacked whole or not at all."""

import base64
import hashlib
import io
import json
import tarfile

import pytest

from labkit._errors import LabkitError
from labkit._setup import npm


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(monkeypatch, tmp_path):
    """A fake npm registry serving one package; returns the URLs it was asked for."""
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path))
    tarball = _tarball({"package/package.json": b"{}", "package/dist/index.js": b"x"})
    served = {"integrity": _integrity(tarball)}
    asked = []

    def fetch(url, timeout=300):
        asked.append(url)
        if url.endswith(".tgz"):
            return tarball
        return json.dumps(
            {"dist": {"tarball": "https://r/t.tgz", "integrity": served["integrity"]}}
        ).encode()

    monkeypatch.setattr(npm, "_fetch", fetch)
    return asked, served


def test_unpacks_once_and_reuses_the_cache(registry, tmp_path):
    asked, _ = registry
    folder = npm.unpack("tool", "1.0.0")
    assert folder == tmp_path / "npm" / "tool-1.0.0" / "package"
    assert (folder / "dist" / "index.js").read_bytes() == b"x"
    assert npm.unpack("tool", "1.0.0") == folder
    assert len(asked) == 2  # metadata + tarball, the first time only


def test_a_tarball_that_does_not_match_its_hash_is_refused_and_nothing_is_left(registry, tmp_path):
    _, served = registry
    served["integrity"] = _integrity(b"something else")
    with pytest.raises(LabkitError, match="does not match its published sha512"):
        npm.unpack("tool", "1.0.0")
    assert not (tmp_path / "npm").exists() or not any((tmp_path / "npm").iterdir())


def test_verify_accepts_the_right_hash():
    npm.verify(b"abc", _integrity(b"abc"))
