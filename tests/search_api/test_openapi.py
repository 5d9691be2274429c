"""The OpenAPI description is valid, and every route keeps to it (schemathesis, no 5xx)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openapi_spec_validator import validate

from search_api.routes.meta import openapi_spec


def test_spec_is_valid_openapi_31():
    spec = openapi_spec()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_spec_is_served(client):
    assert client.get("/api/openapi.json").get_json() == openapi_spec()


def test_every_route_is_described(app):
    described = set(openapi_spec()["paths"])
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.rule.startswith(("/api", "/healthz")):
            continue
        path = rule.rule.replace("<path:doc_id>", "{id}")
        assert path in described, f"{rule.rule} is not in schemas/openapi.json"


def test_api_keeps_to_its_spec(live_server, tmp_path):
    """schemathesis, run as its own CLI against the real HTTP server: no 5xx, no off-spec response."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(Path(__file__).with_name("schemathesis.toml")),
        "run", live_server.url + "/api/openapi.json",
        "--checks", "all", "--max-examples", "40", "--seed", "20261122",
        "--suppress-health-check", "all", "--report-dir", str(tmp_path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
