"""Operating gloo-hashi run: /metrics as Prometheus text with every family, debug views and the
effective configuration without key material or tokens, JSON logs, and a SIGTERM in the middle
of a burst of publishes that exits 0 while Envoy keeps serving its last configuration."""

import json
import os
import signal
import subprocess
import threading
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree
from test_https import certificate_authority, issue, secret_yaml

US = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"
GW = "gloo/gateway.solo.io/v1/Gateway/gloo-system"
TOKEN = "e2e-consul-token-5f1d"

FAMILIES = {
    "gloo_hashi_translation_duration_seconds", "gloo_hashi_translations", "gloo_hashi_resources_rejected",
    "gloo_hashi_resources_warned", "gloo_hashi_snapshot_resources", "gloo_hashi_snapshot_publishes",
    "gloo_hashi_snapshot_last_publish_timestamp_seconds", "gloo_hashi_xds_connected_envoys", "gloo_hashi_xds_acks",
    "gloo_hashi_xds_nacks", "gloo_hashi_backend_requests", "gloo_hashi_backend_request_duration_seconds",
    "gloo_hashi_source_last_sync_timestamp_seconds", "gloo_hashi_leader", "gloo_hashi_certificate_expiry_timestamp_seconds",
}


def service(name, upstream, alias=None):
    domains = f"'{name}.example.com'" + (f", '{alias}.example.com'" if alias else "")
    return f"""
        virtualHost:
          domains: [{domains}]
          routes: [{{matchers: [{{prefix: /}}], routeAction: {{single: {{upstream: {{name: {upstream}}}}}}}}}]
        """


def metric_families(gateway):
    return {family.name: family for family in text_string_to_metric_families(gateway.get("/metrics"))}


def sample(families, family, **labels):
    return next((s.value for s in families[family].samples
                 if s.name.startswith(family) and all(s.labels.get(k) == v for k, v in labels.items())), None)


def route_through(port, host, path="/"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


@pytest.fixture
def backend():
    running = Backend("ops-backend")
    yield running
    running.stop()


def test_metrics_debug_views_and_logs_hold_no_secrets(tmp_path, backend):
    pki = tmp_path / "pki"
    certificate_authority(pki, "ops-ca")
    certificate, key = issue(pki, "tls.example.com", 7)
    key_lines = [line for line in key.splitlines() if line and not line.startswith("-----")]
    port = fx.free_port()
    config = tmp_path / "config"
    write_tree(config, {
        "gloo/gloo.solo.io/v1/Secret/gloo-system/tls": secret_yaml(certificate, key),
        f"{US}/backend": f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}",
        f"{GW}/http": f"bindAddress: 127.0.0.1\nbindPort: {port}\nhttpGateway: {{}}\n",
        f"{VS}/app": service("app", "backend"),
        f"{VS}/broken": "virtualHost: {domains: [broken.example.com], routes: nope}",
    })
    env = dict(os.environ, CONSUL_HTTP_TOKEN=TOKEN)
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log", extra_args=["--log-format", "json", "--log-level", "debug"], env=env)
    envoy = Envoy(tmp_path, gateway.xds_port, "GRPC")
    try:
        eventually(lambda: (route_through(port, "app.example.com") or {}).get("backend") == "ops-backend")
        eventually(lambda: (sample(metric_families(gateway), "gloo_hashi_xds_acks", type="RDS") or 0) >= 1)
        families = metric_families(gateway)
        assert FAMILIES <= set(families), f"missing: {FAMILIES - set(families)}"

        group = "gloo-system~gateway-proxy"
        assert sample(families, "gloo_hashi_snapshot_resources", proxy=group, type="CDS") == 1
        assert sample(families, "gloo_hashi_snapshot_resources", proxy=group, type="LDS") == 1
        assert sample(families, "gloo_hashi_xds_connected_envoys", group=group, mode="sotw") == 1
        assert sample(families, "gloo_hashi_xds_acks", type="CDS") >= 1
        assert sample(families, "gloo_hashi_resources_rejected") == 1
        assert sample(families, "gloo_hashi_backend_requests", backend="directory", operation="scan") >= 1
        assert sample(families, "gloo_hashi_leader") == 1
        expiry = sample(families, "gloo_hashi_certificate_expiry_timestamp_seconds", secret="gloo-system.tls")
        assert time.time() + 86400 < expiry < time.time() + 3 * 86400, "the test certificate lives two days"

        # No key material or token anywhere an operator looks.
        views = ["/metrics", "/debug/snapshot", "/debug/proxies", "/debug/reports", "/debug/xds", "/debug/route-modes"]
        for view in views:
            body = gateway.get(view)
            assert "PRIVATE KEY" not in body, view
            assert not any(line in body for line in key_lines), view
            assert TOKEN not in body, view
        assert "broken" in gateway.get("/debug/reports")
    finally:
        envoy.stop()
        assert gateway.stop() == 0
    log = gateway.log_path.read_text()
    assert "PRIVATE KEY" not in log and not any(line in log for line in key_lines) and TOKEN not in log
    records = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert records and all({"time", "level", "logger", "message"} <= set(record) for record in records)
    assert any(record["level"] == "error" and "VirtualService/gloo-system/broken" in record.get("key", "") for record in records)


def test_print_config_masks_secrets_and_names_sources(tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text("gloo: {xdsBindAddr: '0.0.0.0:19977'}\nvaultSecretSource: {address: 'https://vault:8200', accessToken: vault-token-abc}\n")
    env = dict(os.environ, CONSUL_HTTP_ADDR="127.0.0.1:8500", CONSUL_HTTP_TOKEN=TOKEN, NOMAD_TOKEN="nomad-token-xyz")
    output = subprocess.run([fx.binary("gloo-hashi"), "run", "--print-config", "--config-dir", str(tmp_path),
                             "--settings", str(settings), "--admin-address", "0.0.0.0:9999"],
                            env=env, check=True, capture_output=True, text=True).stdout
    lines = {line.split()[0]: line for line in output.splitlines()}
    for secret in (TOKEN, "vault-token-abc", "nomad-token-xyz"):
        assert secret not in output
    assert "<redacted>" in lines["consul.token"] and lines["consul.token"].endswith("environment CONSUL_HTTP_TOKEN")
    assert "<redacted>" in lines["vault.token"] and lines["vault.token"].endswith("settings vaultSecretSource.accessToken")
    assert lines["xds.address"].split()[1] == "0.0.0.0:19977" and lines["xds.address"].endswith("settings gloo.xdsBindAddr")
    assert lines["admin.address"].endswith("flag --admin-address")
    assert lines["consul.address"].endswith("environment CONSUL_HTTP_ADDR")
    assert lines["loop.debounce"].split()[1:] == ["20ms", "default"]


def test_sigterm_during_a_burst_of_publishes_exits_zero_and_envoy_keeps_serving(tmp_path, backend):
    port = fx.free_port()
    config = tmp_path / "config"
    files = {
        f"{US}/backend": f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}",
        f"{GW}/http": f"bindAddress: 127.0.0.1\nbindPort: {port}\nhttpGateway: {{}}\n",
    }
    files.update({f"{VS}/svc-{index}": service(f"svc-{index}", "backend") for index in range(50)})
    write_tree(config, files)
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log", extra_args=["--debounce-ms", "1", "--max-delay-ms", "5"])
    envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
    stop = threading.Event()
    try:
        eventually(lambda: (route_through(port, "svc-0.example.com") or {}).get("backend") == "ops-backend")

        def churn():
            generation = 0
            while not stop.is_set():
                generation += 1
                write_tree(config, {f"{VS}/svc-{generation % 50}": service(f"svc-{generation % 50}", "backend", f"g{generation}")})
                time.sleep(0.005)

        writer = threading.Thread(target=churn)
        writer.start()
        group = "gloo-system~gateway-proxy"
        eventually(lambda: (sample(metric_families(gateway), "gloo_hashi_snapshot_publishes", proxy=group) or 0) > 5)
        gateway.process.send_signal(signal.SIGTERM)
        code = gateway.process.wait(timeout=20)
        stop.set()
        writer.join()
        assert code == 0, gateway.log_path.read_text()[-2000:]
        # The control plane is gone; Envoy keeps its last configuration and still routes.
        for index in (0, 17, 49):
            answer = route_through(port, f"svc-{index}.example.com", "/")
            assert answer and answer["backend"] == "ops-backend"
    finally:
        stop.set()
        envoy.stop()
        if gateway.process.poll() is None:
            gateway.stop()
        gateway.log.close()


def test_a_vanished_config_directory_keeps_the_last_config_and_recovers(tmp_path, backend):
    port = fx.free_port()
    config = tmp_path / "config"
    write_tree(config, {
        f"{US}/backend": f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}",
        f"{GW}/http": f"bindAddress: 127.0.0.1\nbindPort: {port}\nhttpGateway: {{}}\n",
        f"{VS}/app": service("app", "backend"),
    })
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log")
    envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: (route_through(port, "app.example.com") or {}).get("backend") == "ops-backend")
        config.rename(tmp_path / "moved")
        eventually(lambda: "configuration source is failing" in gateway.get("/readyz"))
        assert gateway.status("/readyz") == 200
        assert sample(metric_families(gateway), "gloo_hashi_source_up", source="config") == 0
        assert (route_through(port, "app.example.com") or {}).get("backend") == "ops-backend", "Envoy keeps serving"
        (tmp_path / "moved").rename(config)
        write_tree(config, {f"{VS}/app": service("app", "backend", "again")})
        eventually(lambda: (route_through(port, "again.example.com") or {}).get("backend") == "ops-backend", timeout=30)
        assert gateway.get("/readyz") == "ready\n"
        assert sample(metric_families(gateway), "gloo_hashi_source_up", source="config") == 1
    finally:
        envoy.stop()
        assert gateway.stop() == 0
