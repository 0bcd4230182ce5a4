"""gloo-hashi run --consul-address against the Consul test server (hashi-test-servers, a real
HTTP server implementing Consul's KV API): resources PUT through the HTTP API reach a real
Envoy, an edit is followed, a broken value rejects only its key, and Consul going away keeps
Envoy serving while the admin API says why; when Consul is back, changes flow again."""

import json
import subprocess
import textwrap
import urllib.parse
import urllib.request

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi
from test_operations import route_through as route

VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"


class ConsulServer:
    def __init__(self, port=0, token=None):
        self.process = subprocess.Popen([fx.binary("hashi-test-servers"), "consul", "--port", str(port),
                                         *(["--token", token] if token else [])],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().split()
        assert line and line[0] == "consul", "the Consul test server did not start"
        self.address = line[1]
        self.port = int(self.address.rsplit(":", 1)[1])

    def put(self, key, text):
        request = urllib.request.Request(f"http://{self.address}/v1/kv/{key}", data=textwrap.dedent(text).lstrip().encode(),
                                         method="PUT")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.read() == b"true"

    def call(self, path):
        """A GET's JSON answer and its X-Consul-Index."""
        with urllib.request.urlopen(f"http://{self.address}{path}", timeout=5) as response:
            return json.loads(response.read()), int(response.headers.get("X-Consul-Index") or 0)

    def blocked(self):
        """How many blocking queries the server holds parked now."""
        return self.call("/_test/blocked")[0]

    def requests(self):
        return self.call("/_test/requests")[0]

    def read_past(self, index, path_prefix):
        """True once a blocking GET under `path_prefix` asked with an index at or above `index`:
        its client has read that change and is waiting for the next one."""
        for request in self.requests():
            if request["method"] == "GET" and request["path"].startswith(path_prefix):
                asked = urllib.parse.parse_qs(request["query"]).get("index", ["0"])[0]
                if int(asked) >= index:
                    return True
        return False

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def service(host, upstream="backend"):
    return f"""
        virtualHost:
          domains: ['{host}']
          routes: [{{matchers: [{{prefix: /}}], routeAction: {{single: {{upstream: {{name: {upstream}}}}}}}}}]
        """


@pytest.fixture
def backend():
    running = Backend("consul-backend")
    yield running
    running.stop()


def seed(consul, backend, port):
    consul.put("gloo/gloo.solo.io/v1/Upstream/gloo-system/backend", f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}")
    consul.put("gloo/gateway.solo.io/v1/Gateway/gloo-system/http", f"bindAddress: 127.0.0.1\nbindPort: {port}\nhttpGateway: {{}}\n")
    consul.put(f"{VS}/app", service("app.example.com"))


def test_resources_put_into_consul_reach_envoy_and_follow_edits(tmp_path, backend):
    consul = ConsulServer()
    port = fx.free_port()
    seed(consul, backend, port)
    gateway = GlooHashi(None, tmp_path / "gloo-hashi.log", extra_args=["--consul-address", consul.address])
    envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: (route(port, "app.example.com") or {}).get("backend") == "consul-backend")
        consul.put(f"{VS}/app", service("renamed.example.com"))
        eventually(lambda: (route(port, "renamed.example.com") or {}).get("backend") == "consul-backend")
        assert route(port, "app.example.com") is None

        consul.put(f"{VS}/broken", "virtualHost: {domains: [broken.example.com], routes: nope}")
        consul.put(f"{VS}/other", service("other.example.com"))
        eventually(lambda: (route(port, "other.example.com") or {}).get("backend") == "consul-backend")
        reports = json.loads(gateway.get("/debug/reports"))
        assert [r["key"] for r in reports if r["state"] == "Rejected"] == [f"{VS}/broken"]
        assert "routes" in reports[0]["errors"][0]

        # Consul goes away: Envoy keeps its configuration, the admin API says why.
        consul.stop()
        eventually(lambda: "configuration source is failing" in gateway.get("/readyz"), timeout=60)
        assert (route(port, "renamed.example.com") or {}).get("backend") == "consul-backend"

        # Back on the same address, empty and with lower indexes (as after a restore): a full
        # resync. The restored VirtualService gets the ModifyIndex the old one had; nothing
        # cached by version may survive that.
        consul = ConsulServer(consul.port)
        seed(consul, backend, port)
        consul.put(f"{VS}/app", service("back.example.com"))
        eventually(lambda: (route(port, "back.example.com") or {}).get("backend") == "consul-backend", timeout=60)
        # Every source recovers (discovery retries on its own backoff, at most 30 s apart).
        eventually(lambda: gateway.get("/readyz") == "ready\n", timeout=60)
    finally:
        envoy.stop()
        assert gateway.stop() == 0
        consul.stop()
