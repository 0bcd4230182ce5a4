"""Status write-back and leader election through `gloo-hashi run --consul-address` against the
Consul test server: statuses land in the stored values (Gloo's namespacedStatuses shape, the
user's fields kept), nothing is written after quiescence, and with two controllers only the
leader writes; when the leader is killed the other takes over while the Envoy connected to it
keeps its configuration."""

import json
import signal
import urllib.request

import yaml

import xds_fixtures as fx
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi
from test_consul_kv import VS, ConsulServer, backend, seed, service  # noqa: F401 (fixture)
from test_operations import route_through as route


def stored(consul, key):
    try:
        with urllib.request.urlopen(f"http://{consul.address}/v1/kv/{key}?raw", timeout=5) as response:
            return response.read().decode()
    except urllib.error.HTTPError:
        return None


def status_of(consul, key):
    """The gloo-system status in the stored value."""
    text = stored(consul, key)
    tree = yaml.safe_load(text) if text else None
    return ((tree or {}).get("namespacedStatuses") or {}).get("statuses", {}).get("gloo-system")


def kv_writes(consul):
    """KV writes the Consul test server has seen: PUTs and DELETEs of values (the lock key aside)
    and transactions (status write-backs go in batches through /v1/txn)."""
    with urllib.request.urlopen(f"http://{consul.address}/_test/requests", timeout=5) as response:
        requests = json.loads(response.read())
    return [r for r in requests if r["method"] in ("PUT", "DELETE")
            and (r["path"].startswith("/v1/kv/") and "/.control/" not in r["path"] or r["path"] == "/v1/txn")]


def metric(gateway, name):
    for line in gateway.get("/metrics").splitlines():
        if line.startswith(name):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_statuses_are_written_back_once(tmp_path, backend):
    consul = ConsulServer()
    port = fx.free_port()
    seed(consul, backend, port)
    consul.put(f"{VS}/broken", "# kept\nvirtualHost: {domains: [broken.example.com]}\nfutureField: 1\n")
    before = len(kv_writes(consul))
    gateway = GlooHashi(None, tmp_path / "gloo-hashi.log", extra_args=["--consul-address", consul.address])
    try:
        eventually(lambda: (status_of(consul, f"{VS}/broken") or {}).get("state") == "Rejected", timeout=30)
        broken = status_of(consul, f"{VS}/broken")
        assert "futureField" in broken["reason"] and broken["reportedBy"] == "gateway"
        assert "futureField: 1" in stored(consul, f"{VS}/broken"), "the user's value is kept"
        eventually(lambda: (status_of(consul, f"{VS}/app") or {}).get("state") == "Accepted")
        eventually(lambda: (status_of(consul, "gloo/gloo.solo.io/v1/Upstream/gloo-system/backend") or {}).get("reportedBy") == "gloo")
        eventually(lambda: status_of(consul, "gloo/gateway.solo.io/v1/Gateway/gloo-system/http") is not None)
        # One status per resource, then quiet: the writes come back through the watch and cause
        # neither another write nor a translation.
        eventually(lambda: metric(gateway, 'gloo_hashi_status_writes_total{result="written"}') == 4)
        written = len(kv_writes(consul)) - before
        assert written > 0
        translations = metric(gateway, "gloo_hashi_translations_total")
        # Once the gateway's watch has read past its own writes, one new resource costs one
        # translation and one status write: the echo of the first four caused neither.
        _, written_index = consul.call("/v1/kv/gloo/?recurse")
        eventually(lambda: consul.read_past(written_index, "/v1/kv/gloo"))
        consul.put(f"{VS}/probe", service("probe.example.com"))
        eventually(lambda: (status_of(consul, f"{VS}/probe") or {}).get("state") == "Accepted")
        eventually(lambda: metric(gateway, 'gloo_hashi_status_writes_total{result="written"}') == 5)
        assert len(kv_writes(consul)) - before == written + 2, "the probe and its status, nothing else"
        assert metric(gateway, "gloo_hashi_translations_total") == translations + 1
        assert metric(gateway, "gloo_hashi_leader") == 1

        # The user fixes the value: it is translated and its status follows.
        consul.put(f"{VS}/broken", service("broken.example.com"))
        eventually(lambda: (status_of(consul, f"{VS}/broken") or {}).get("state") == "Accepted")
    finally:
        assert gateway.stop() == 0
        consul.stop()


def test_two_controllers_one_leader_and_a_takeover(tmp_path, backend):
    consul = ConsulServer()
    port = fx.free_port()
    seed(consul, backend, port)
    first = GlooHashi(None, tmp_path / "first.log", extra_args=["--consul-address", consul.address])
    second = GlooHashi(None, tmp_path / "second.log", extra_args=["--consul-address", consul.address])
    envoy = None
    try:
        eventually(lambda: metric(first, "gloo_hashi_leader") + metric(second, "gloo_hashi_leader") == 1, timeout=30)
        leader, survivor = (first, second) if metric(first, "gloo_hashi_leader") == 1 else (second, first)
        eventually(lambda: (status_of(consul, f"{VS}/app") or {}).get("state") == "Accepted")
        assert metric(survivor, 'gloo_hashi_status_writes_total{result="written"}') in (None, 0)
        assert (metric(leader, 'gloo_hashi_status_writes_total{result="written"}') or 0) >= 3

        envoy = Envoy(tmp_path, survivor.xds_port, "DELTA_GRPC")
        eventually(lambda: (route(port, "app.example.com") or {}).get("backend") == "consul-backend")
        # The leader dies without resigning: its session lapses after the TTL, the survivor
        # takes the lock after the lock delay. Envoy keeps serving throughout.
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(timeout=10)
        leader.log.close()
        assert (route(port, "app.example.com") or {}).get("backend") == "consul-backend"
        eventually(lambda: metric(survivor, "gloo_hashi_leader") == 1, timeout=40)
        assert (route(port, "app.example.com") or {}).get("backend") == "consul-backend"
        # The new leader writes the statuses of what changes next.
        consul.put(f"{VS}/later", "virtualHost: {domains: [later.example.com]}\nbogus: 1\n")
        eventually(lambda: (status_of(consul, f"{VS}/later") or {}).get("state") == "Rejected")
        assert metric(survivor, 'gloo_hashi_status_writes_total{result="written"}') >= 1
    finally:
        if envoy:
            envoy.stop()
        assert survivor.stop() == 0
        consul.stop()
