"""Consul discovery end to end: services registered in the Consul test server (its HTTP API,
over a real socket) become Upstreams, their healthy instances become endpoints, and a real
Envoy routes to them through `gloo-hashi run --consul-address`. An instance turning critical
leaves Envoy before its backend stops, so no request fails; maintenance, tags, a second
datacenter and TLS tagging behave as in Gloo; unreferenced services cost no long-poll."""

import json
import threading
import time
import urllib.request

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi
from test_consul_kv import ConsulServer
from test_https import certificate_authority, issue
from test_operations import route_through as route

VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"


def consul_call(consul, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://{consul.address}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def register(consul, service, instance, port, tags=(), status="passing", dc=None, node=None):
    body = {"Node": node or f"node-{instance}", "Address": "127.0.0.1",
            "Service": {"Service": service, "ID": instance, "Port": port, "Tags": list(tags)},
            "Check": {"CheckID": f"service:{instance}", "Status": status, "ServiceID": instance}}
    if dc:
        body["Datacenter"] = dc
    consul_call(consul, "PUT", "/v1/catalog/register", body)


def set_check(consul, instance, status):
    consul_call(consul, "PUT", "/v1/catalog/register", {
        "Node": f"node-{instance}", "Check": {"CheckID": f"service:{instance}", "Status": status, "ServiceID": instance}})


def routes(host, destinations):
    """A VirtualService for host: one route per (prefix, destination yaml)."""
    items = ", ".join(f"{{matchers: [{{prefix: '{prefix}'}}], routeAction: {{single: {destination}}}}}"
                      for prefix, destination in destinations)
    return f"virtualHost: {{domains: ['{host}'], routes: [{items}]}}\n"


def hosts_in_envoy(envoy, cluster):
    """The host:port Envoy has in `cluster` (from its admin /clusters)."""
    return {line.split("::")[1] for line in envoy.admin("/clusters").splitlines()
            if line.startswith(f"{cluster}::") and line.count("::") >= 3 and ":" in line.split("::")[1]
            and line.split("::")[2] == "cx_active"}


def backends_seen(port, host, path="/", tries=40):
    return {(route(port, host, path) or {}).get("backend") for _ in range(tries)}


class Load:
    """Requests sent back to back on a thread; counts answers and failures."""

    def __init__(self, port, host):
        self.ok = 0
        self.failed = []
        self.running = True
        self.thread = threading.Thread(target=self.run, args=(port, host), daemon=True)
        self.thread.start()

    def run(self, port, host):
        while self.running:
            answer = route(port, host)
            if answer and answer.get("backend"):
                self.ok += 1
            else:
                self.failed.append(time.time())

    def stop(self):
        self.running = False
        self.thread.join(timeout=10)


@pytest.fixture
def setup(tmp_path):
    consul = ConsulServer()
    port = fx.free_port()
    consul.put("gloo/gateway.solo.io/v1/Gateway/gloo-system/http", f"bindAddress: 127.0.0.1\nbindPort: {port}\nhttpGateway: {{}}\n")
    started = []

    def start(extra_args=()):
        gateway = GlooHashi(None, tmp_path / "gloo-hashi.log", extra_args=["--consul-address", consul.address, *extra_args])
        envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
        started.extend([envoy, gateway])
        return gateway, envoy

    yield consul, port, start
    for process in started:
        process.stop()
    consul.stop()


def test_healthy_instances_get_traffic_and_a_critical_one_leaves_without_failed_requests(setup):
    consul, port, start = setup
    a, b = Backend("web-a"), Backend("web-b")
    try:
        register(consul, "web", "web-a", a.port)
        register(consul, "web", "web-b", b.port)
        register(consul, "lonely", "lonely-1", a.port)
        consul.put(f"{VS}/web", routes("web.example.com", [("/", "{upstream: {name: web, namespace: gloo-system}}")]))
        gateway, envoy = start()
        eventually(lambda: backends_seen(port, "web.example.com") == {"web-a", "web-b"})

        # Under continuous load, web-b turns critical; once Envoy has dropped it, its backend stops.
        load = Load(port, "web.example.com")
        eventually(lambda: load.ok > 20)
        set_check(consul, "web-b", "critical")
        eventually(lambda: hosts_in_envoy(envoy, "web_gloo-system") == {f"127.0.0.1:{a.port}"})
        b.stop()
        served = load.ok
        eventually(lambda: load.ok > served + 50)
        load.stop()
        assert load.failed == [], f"{len(load.failed)} requests failed of {load.ok + len(load.failed)}"
        assert backends_seen(port, "web.example.com") == {"web-a"}

        # Only the referenced service is watched: the other one costs no long-poll.
        requests = json.loads(consul_call(consul, "GET", "/_test/requests"))
        health = [r["path"] for r in requests if r["path"].startswith("/v1/health/service/")]
        assert health and all(path == "/v1/health/service/web" for path in health), health
        metrics = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
                   for line in gateway.get("/metrics").splitlines() if line and not line.startswith("#")}
        assert metrics['gloo_hashi_discovered_upstreams{source="consul"}'] == 2
        assert metrics['gloo_hashi_discovery_watches{source="consul"}'] == 2, "one per datacenter, one per referenced service"
    finally:
        a.stop()


def test_maintenance_tags_and_a_deregistered_service(setup):
    consul, port, start = setup
    blue, green, api = Backend("blue"), Backend("green"), Backend("api")
    try:
        register(consul, "web", "web-blue", blue.port, tags=["blue"])
        register(consul, "web", "web-green", green.port, tags=["green"])
        register(consul, "api", "api-1", api.port)
        consul.put(f"{VS}/web", routes("web.example.com", [
            ("/blue", "{consul: {serviceName: web, tags: [blue]}}"),
            ("/api", "{upstream: {name: api, namespace: gloo-system}}"),
            ("/", "{consul: {serviceName: web}}")]))
        gateway, envoy = start()
        eventually(lambda: backends_seen(port, "web.example.com") == {"blue", "green"})
        # A tag selects the subset of instances that carry it.
        assert backends_seen(port, "web.example.com", "/blue") == {"blue"}
        assert backends_seen(port, "web.example.com", "/api", tries=3) == {"api"}

        # Service maintenance takes the instance out of rotation.
        consul_call(consul, "PUT", "/v1/agent/service/maintenance/web-green?enable=true&reason=upgrade")
        eventually(lambda: backends_seen(port, "web.example.com") == {"blue"})
        consul_call(consul, "PUT", "/v1/agent/service/maintenance/web-green?enable=false")
        eventually(lambda: backends_seen(port, "web.example.com") == {"blue", "green"})

        # A deregistered service's Upstream disappears; the route to it reports a Warning.
        consul_call(consul, "PUT", "/v1/catalog/deregister", {"Node": "node-api-1", "ServiceID": "api-1"})
        eventually(lambda: route(port, "web.example.com", "/api") is None)
        reports = json.loads(gateway.get("/debug/reports"))
        warned = [r for r in reports if r["key"] == f"{VS}/web"]
        assert warned and warned[0]["state"] == "Warning" and "api" in " ".join(warned[0]["warnings"]), reports
        assert backends_seen(port, "web.example.com", "/blue") == {"blue"}, "the rest keeps serving"
    finally:
        for backend in (blue, green, api):
            backend.stop()


def test_a_second_datacenter_and_tls_tagging(setup, tmp_path):
    consul, port, start = setup
    ca = certificate_authority(tmp_path / "ca", "discovery-ca")
    certificate, key = issue(tmp_path / "ca", "secure", 1)
    (tmp_path / "secure.pem").write_text(certificate)
    (tmp_path / "secure.key").write_text(key)
    east, secure = Backend("east"), Backend("secure", tls=(str(tmp_path / "secure.pem"), str(tmp_path / "secure.key")))
    try:
        register(consul, "east", "east-1", east.port, dc="dc2")
        register(consul, "secure", "secure-1", secure.port, tags=["glooUseTls"])
        consul.put("gloo/gloo.solo.io/v1/Secret/gloo-system/root-ca",
                   "tls:\n  rootCa: |\n" + "".join("    " + line + "\n" for line in open(ca).read().splitlines()))
        consul.put(f"{VS}/web", routes("web.example.com", [
            ("/east", "{upstream: {name: east, namespace: gloo-system}}"),
            ("/secure", "{upstream: {name: secure-tls, namespace: gloo-system}}")]))
        settings = tmp_path / "settings.yaml"
        settings.write_text(f"""
metadata: {{name: default, namespace: gloo-system}}
consul:
  address: {consul.address}
  serviceDiscovery: {{dataCenters: [dc1, dc2]}}
consulDiscovery:
  useTlsTagging: true
  rootCa: {{name: root-ca, namespace: gloo-system}}
""")
        gateway, envoy = start(["--settings", str(settings)])
        eventually(lambda: (route(port, "web.example.com", "/east") or {}).get("backend") == "east")
        # The TLS-tagged service is reached over TLS, verified against the root CA.
        eventually(lambda: (route(port, "web.example.com", "/secure") or {}).get("backend") == "secure")
        assert envoy.stat("cluster.secure-tls_gloo-system.ssl.handshake") >= 1
        upstreams = json.loads(gateway.get("/debug/discovery"))["upstreams"]
        assert {u["name"] for u in upstreams} == {"east", "secure-tls"}
    finally:
        east.stop()
        secure.stop()
