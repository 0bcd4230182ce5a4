"""`gloo-hashi discovery` (Gloo's split deployment) against the Consul test server: discovered
Upstreams are written into Consul KV with Gloo's label, unchanged ones are not written again,
a deregistered service's Upstream is deleted, and a user's Upstream of the same name is never
touched."""

import subprocess
import urllib.error
import urllib.request

import xds_fixtures as fx
from envoy_runner import eventually
from test_consul_discovery import consul_call, register
from test_consul_kv import ConsulServer

UPSTREAMS = "gloo/gloo.solo.io/v1/Upstream/gloo-system"


def value(consul, key):
    try:
        with urllib.request.urlopen(f"http://{consul.address}/v1/kv/{key}?raw", timeout=5) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def test_discovery_writes_upstreams_into_consul_kv(tmp_path):
    consul = ConsulServer()
    register(consul, "web", "web-1", 8080, tags=["v1"])
    register(consul, "db", "db-1", 5432)
    consul.put(f"{UPSTREAMS}/db", "static: {hosts: [{addr: 10.9.9.9, port: 5432}]}\n")
    log = open(tmp_path / "discovery.log", "w")
    process = subprocess.Popen([fx.binary("gloo-hashi"), "discovery", "--consul-address", consul.address],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        eventually(lambda: value(consul, f"{UPSTREAMS}/web") is not None)
        web = value(consul, f"{UPSTREAMS}/web")
        assert "serviceName: web" in web and "discovered_by: consulplugin" in web, web
        assert "10.9.9.9" in value(consul, f"{UPSTREAMS}/db"), "a user's Upstream is never overwritten"
        assert value(consul, "gloo/.control/discovery-leader") is not None

        # A change that leaves every Upstream as it was writes nothing. Discovery reads the
        # health-only change (its watch asks again from that index), then a tag change: it
        # handles changes in order, so the tag change's write is the only one.
        before = len(consul.requests())
        register(consul, "web", "web-1", 8080, tags=["v1"], status="critical")  # health only
        _, services_index = consul.call("/v1/catalog/services")
        eventually(lambda: consul.read_past(services_index, "/v1/catalog/services"))
        register(consul, "web", "web-1", 8080, tags=["v1", "v2"])
        eventually(lambda: "v2" in (value(consul, f"{UPSTREAMS}/web") or ""))
        after = consul.requests()[before:]
        writes = [r["path"] for r in after if r["method"] in ("PUT", "DELETE") and r["path"].startswith("/v1/kv/gloo/gloo.solo.io")
                  or r["path"] == "/v1/txn"]
        # Discovery writes through transactions (CAS on each Upstream): one write, the tag change.
        assert len(writes) == 1, f"only the tag change is written: {writes}"

        # A new service's Upstream is written; a deregistered service's Upstream is deleted.
        register(consul, "api", "api-1", 9090)
        eventually(lambda: value(consul, f"{UPSTREAMS}/api") is not None)
        consul_call(consul, "PUT", "/v1/catalog/deregister", {"Node": "node-api-1", "ServiceID": "api-1"})
        eventually(lambda: value(consul, f"{UPSTREAMS}/api") is None)
        assert "10.9.9.9" in value(consul, f"{UPSTREAMS}/db")
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0
        log.close()
        consul.stop()
