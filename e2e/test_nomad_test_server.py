"""The Nomad test server (hashi-test-servers nomad) checked with an independent client,
python-nomad, and plain HTTP for native services (python-nomad has no services API), so the
Nomad client and the test server cannot share one misunderstanding (REFERENCE.md section 6):
job parse with variables, register, deployments that progress to success or to failure,
allocations with task events, services with blocking queries and X-Nomad-Index, ACL tokens."""

import json
import subprocess
import threading
import urllib.request
from pathlib import Path

import nomad
import nomad.api.exceptions
import pytest

import xds_fixtures as fx
from envoy_runner import eventually

NOMAD_JOBS = Path(__file__).resolve().parent.parent / "nomad"


class NomadServer:
    def __init__(self, token=None):
        self.process = subprocess.Popen([fx.binary("hashi-test-servers"), "nomad", *(["--token", token] if token else [])],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().split()
        assert line and line[0] == "nomad", "the Nomad test server did not start"
        self.address = line[1]
        self.host, port = self.address.rsplit(":", 1)
        self.port = int(port)

    def control(self, name, **query):
        params = "&".join(f"{key}={value}" for key, value in query.items())
        request = urllib.request.Request(f"http://{self.address}/_test/{name}?{params}", method="PUT")
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read()

    def get(self, path, token=None):
        request = urllib.request.Request(f"http://{self.address}{path}", headers={"X-Nomad-Token": token} if token else {})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read()), int(response.headers["X-Nomad-Index"])

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def server():
    running = NomadServer()
    yield running
    running.stop()


def test_parse_register_and_deployments_to_success_and_failure(server):
    client = nomad.Nomad(host=server.host, port=server.port, timeout=10)
    job = client.jobs.parse((NOMAD_JOBS / "gloo-hashi.nomad.hcl").read_text(), canonicalize=True)
    assert job["ID"] == "gloo-hashi"
    assert [(group["Name"], group["Count"]) for group in job["TaskGroups"]] == [("gloo", 2), ("discovery", 0)]
    server.control("schedule", outcome="success", step_ms=50)
    registered = client.jobs.register_job({"Job": job})
    assert registered["EvalID"] and registered["JobModifyIndex"] > 0
    eventually(lambda: client.job.get_deployment("gloo-hashi")["Status"] != "running", timeout=20, interval=0.05)
    deployment = client.job.get_deployment("gloo-hashi")
    assert deployment["Status"] == "successful"
    assert deployment["TaskGroups"]["gloo"]["HealthyAllocs"] == 2
    assert {a["ClientStatus"] for a in client.job.get_allocations("gloo-hashi") if a["TaskGroup"] == "gloo"} == {"running"}

    server.control("schedule", outcome="fail", step_ms=50)
    proxy = client.jobs.parse((NOMAD_JOBS / "gateway-proxy.nomad.hcl").read_text(), canonicalize=True)
    client.jobs.register_job({"Job": proxy})
    eventually(lambda: client.job.get_deployment("gateway-proxy")["Status"] != "running", timeout=20, interval=0.05)
    assert client.job.get_deployment("gateway-proxy")["Status"] == "failed"
    failed = [a for a in client.job.get_allocations("gateway-proxy") if a["ClientStatus"] == "failed"]
    assert failed and any(event["Type"] == "Driver Failure" for event in failed[0]["TaskStates"]["main"]["Events"])
    assert "gloo-hashi" in [j["ID"] for j in client.jobs.get_jobs()]


def test_services_block_until_a_change(server):
    server.control("register", service="web", id="web-1", address="10.0.0.1", port=8080, tags="v1")
    services, index = server.get("/v1/services")
    assert services == [{"Namespace": "default", "Services": [{"ServiceName": "web", "Tags": ["v1"]}]}]
    instances, index = server.get("/v1/service/web")
    assert [(i["Address"], i["Port"], i["Tags"]) for i in instances] == [("10.0.0.1", 8080, ["v1"])]

    # A blocking query returns when the index passes the one asked for: it was sent before the
    # second instance registered, so holding it in its answer shows it waited for the change.
    threading.Timer(0.3, lambda: server.control("register", service="web", id="web-2", address="10.0.0.2", port=8080)).start()
    instances, newer = server.get(f"/v1/service/web?index={index}&wait=10s")
    assert newer > index and [i["ID"] for i in instances] == ["web-1", "web-2"]
    # Nothing changes: the wait runs out and the same index comes back.
    _, same = server.get(f"/v1/service/web?index={newer}&wait=200ms")
    assert same == newer


def test_acl_token_is_enforced():
    server = NomadServer(token="secret-token")
    try:
        with pytest.raises(nomad.api.exceptions.URLNotAuthorizedNomadException):
            nomad.Nomad(host=server.host, port=server.port, timeout=5).jobs.get_jobs()
        assert nomad.Nomad(host=server.host, port=server.port, token="secret-token", timeout=5).jobs.get_jobs() == []
    finally:
        server.stop()
