"""Each pinned CDN file's SRI hash equals the sha384 of the same file from its npm package."""

import base64
import hashlib
import json
from pathlib import Path

import pytest

from rlsapp.assets import ASSETS

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


def sri(path):
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_the_integrity_hash_matches_the_npm_file(name):
    asset = ASSETS[name]
    package = NODE_MODULES / asset.package
    if not package.exists():
        pytest.fail(f"{package} is missing: run `npm ci` (make install-dev does)")

    installed = json.loads((package / "package.json").read_text())["version"]
    assert installed == asset.version, (
        f"{asset.package}: npm has {installed}, pinned {asset.version}"
    )
    assert sri(package / asset.path) == asset.integrity


def test_package_json_pins_the_same_versions():
    pinned = json.loads((NODE_MODULES.parent / "package.json").read_text())["dependencies"]
    for asset in ASSETS.values():
        assert pinned[asset.package] == asset.version
