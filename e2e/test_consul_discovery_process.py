"""`gloo-hashi discovery` (Gloo's split deployment) against the Consul test server: discovered
Upstreams are written into Consul KV with Gloo's label, unchanged ones are not written again,
a deregistered service's Upstream is deleted, and a user's Upstream of the same name is never
touched."""

import json
import subprocess
import time
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

        # Nothing changes: nothing is written.
        time.sleep(1)
        before = len(json.loads(consul_call(consul, "GET", "/_test/requests")))
        register(consul, "web", "web-1", 8080, tags=["v1"], status="critical")  # health only
        time.sleep(1)
        after = json.loads(consul_call(consul, "GET", "/_test/requests"))[before:]
        assert not [r for r in after if r["method"] == "PUT" and r["path"].startswith("/v1/kv/gloo/gloo.solo.io")], after

        # A new tag is written; a deregistered service's Upstream is deleted.
        register(consul, "web", "web-1", 8080, tags=["v1", "v2"])
        eventually(lambda: "v2" in (value(consul, f"{UPSTREAMS}/web") or ""))
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
