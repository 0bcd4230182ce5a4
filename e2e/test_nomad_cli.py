"""`gloo-hashi nomad deploy` and `nomad status` against the Nomad test server, run as users run
them: the repository's job files parsed by the server with the variables passed through,
deployments followed to success (exit 0) and to failure (exit 1, with the failing allocations'
task events), --detach, the status table and JSON, and a refused token reported in plain words."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import xds_fixtures as fx
from test_nomad_test_server import NomadServer

ROOT = Path(__file__).resolve().parent.parent


def gloo_hashi(*args, address, token=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMAD_")}
    env["NOMAD_ADDR"] = address
    if token:
        env["NOMAD_TOKEN"] = token
    return subprocess.run([fx.binary("gloo-hashi"), "nomad", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def nomad():
    server = NomadServer()
    yield server
    server.stop()


def test_deploy_follows_to_success_and_to_failure(nomad):
    nomad.control("schedule", outcome="success", step_ms=50)
    result = gloo_hashi("deploy", "--var", "count=3", "nomad/gloo-hashi.nomad.hcl", address=nomad.address)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "==> nomad/gloo-hashi.nomad.hcl: job gloo-hashi registered" in result.stdout
    assert "gloo       placed 3/3  healthy 3/3  unhealthy 0" in result.stdout, "the variable reached Nomad's parse"
    assert "==> gloo-hashi: deployment" in result.stdout and "successful" in result.stdout

    nomad.control("schedule", outcome="fail", step_ms=50)
    failed = gloo_hashi("deploy", "nomad/gateway-proxy.nomad.hcl", address=nomad.address)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "failed: Failed due to unhealthy allocations" in failed.stdout
    assert "Driver Failure: Failed to pull" in failed.stdout

    detached = gloo_hashi("deploy", "--detach", "nomad/demo.nomad.hcl", address=nomad.address)
    assert detached.returncode == 0 and "job demo-web registered" in detached.stdout and "successful" not in detached.stdout

    table = gloo_hashi("status", address=nomad.address)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["JOB", "TYPE", "STATUS", "DEPLOYMENT", "GROUP", "DESIRED", "PLACED", "HEALTHY", "UNHEALTHY", "RUNNING"]
    assert any(line.split()[:5] == ["gloo-hashi", "service", "running", "successful", "gloo"] and line.split()[-1] == "3"
               for line in lines)
    assert any(line.split()[:4] == ["gateway-proxy", "service", "dead", "failed"] for line in lines)
    rows = json.loads(gloo_hashi("status", "-o", "json", "gateway-proxy", "missing-job", address=nomad.address).stdout)
    assert {row["job"]: row["status"] for row in rows} == {"gateway-proxy": "dead", "missing-job": "not registered"}


def test_a_refused_token_is_reported_without_it():
    server = NomadServer(token="right-token")
    try:
        result = gloo_hashi("status", address=server.address, token="wrong-token")
        assert result.returncode != 0
        assert "Nomad refused GET jobs" in result.stderr and "wrong-token" not in result.stderr + result.stdout
    finally:
        server.stop()
