"""The Nomad deployment as users run it: every job file parses as HCL2 (python-hcl2, not our
code) with the structure the deployment needs; the gateway proxy's Envoy bootstrap, rendered
from its template for a sample gloo-xds address, is accepted by real Envoy (`--mode validate`);
the controller's rendered Settings are accepted by `gloo-hashi run --print-config`; and
examples/consul-kv/load.sh puts exactly the keys its files name, then the loaded tree validates
and serves through `run` with its certificate from Vault."""

import json
import os
import socket
import ssl
import subprocess
import urllib.request
from pathlib import Path

import hvac
import yaml

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, envoy_binary, eventually, get
from gloo_hashi import GlooHashi
from nomad_jobs import blocks, defaults, heredoc, interpolate, load, render_template
from test_consul_kv import ConsulServer
from test_https import certificate_authority, issue, served_certificate
from test_vault_test_server import VaultServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "consul-kv"


def job(document, name):
    return blocks(document["job"], name)


def test_controller_job_structure():
    document = load("gloo-hashi.nomad.hcl")
    variables = defaults(document)
    assert variables["count"] == 2 and variables["discovery"] is False
    gloo = job(document, "gloo-hashi")
    assert gloo["update"][0]["auto_revert"] is True and gloo["update"][0]["max_parallel"] == 1
    groups = blocks(gloo["group"])
    controller = groups["gloo"]
    assert controller["count"] == "${var.count}"
    assert controller["constraint"][0]["operator"] == "distinct_hosts"
    ports = blocks(controller["network"][0]["port"])
    assert set(ports) == {"xds", "admin"} and all("static" not in port for port in ports.values()), "dynamic ports"
    services = {service["name"]: service for service in controller["service"]}
    assert services["gloo-xds"]["port"] == "xds" and services["gloo-xds"]["check"][0]["type"] == "tcp"
    admin_check = services["gloo-hashi-admin"]["check"][0]
    assert admin_check["type"] == "http" and admin_check["path"] == "/readyz"
    task = blocks(controller["task"], "gloo-hashi")
    args = task["config"][0]["args"]
    assert args[0] == "run"
    assert args[args.index("--admin-address") + 1] == "${NOMAD_IP_admin}:${NOMAD_PORT_admin}"
    assert args[args.index("--xds-address") + 1] == "0.0.0.0:${NOMAD_PORT_xds}"
    assert args[args.index("--vault-token-file") + 1] == "${NOMAD_SECRETS_DIR}/vault_token"
    vault = task["vault"][0]
    assert "var.vault_role" in vault["role"] and "var.vault_policies" in vault["policies"]
    assert task["template"][0]["destination"] == "local/settings.yaml"
    discovery = groups["discovery"]
    assert discovery["count"] == "${var.discovery ? 1 : 0}"
    assert blocks(discovery["task"], "discovery")["config"][0]["args"][0] == "discovery"


def test_rendered_settings_are_accepted_by_gloo_hashi(tmp_path):
    document = load("gloo-hashi.nomad.hcl")
    task = blocks(blocks(job(document, "gloo-hashi")["group"], "gloo")["task"], "gloo-hashi")
    text = interpolate(heredoc(task["template"][0]["data"]), defaults(document))
    settings = render_template(text, env={"NOMAD_PORT_xds": "23456", "attr.unique.network.ip-address": "10.0.0.5"}, services={})
    (tmp_path / "settings.yaml").write_text(settings)
    parsed = yaml.safe_load(settings)
    assert parsed["consul"]["address"] == "10.0.0.5:8500" and parsed["gloo"]["xdsBindAddr"] == "0.0.0.0:23456"
    result = subprocess.run([fx.binary("gloo-hashi"), "run", "--settings", str(tmp_path / "settings.yaml"), "--print-config"],
                            capture_output=True, text=True, env={**os.environ, "VAULT_TOKEN": "t"}, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "10.0.0.5:8500" in result.stdout and "https://vault.service.consul:8200" in result.stdout


def test_proxy_job_structure_and_bootstrap_accepted_by_envoy(tmp_path):
    document = load("gateway-proxy.nomad.hcl")
    variables = defaults(document)
    assert variables["xds_api_type"] == "DELTA_GRPC"
    group = blocks(job(document, "gateway-proxy")["group"], "gateway-proxy")
    assert group["constraint"][0]["operator"] == "distinct_hosts"
    services = {service["name"]: service for service in group["service"]}
    assert set(services) == {"gateway-proxy-http", "gateway-proxy-https", "gateway-proxy-stats"}
    assert all(service["check"][0]["path"] == "/ready" for service in services.values())
    ports = blocks(group["network"][0]["port"])
    assert set(ports) == {"http", "https", "stats"}, "Envoy's admin port is never registered"
    task = blocks(group["task"], "envoy")
    assert task["shutdown_delay"] == "${var.drain_seconds}s" and task["kill_timeout"] == "30s"
    assert "--drain-time-s" in task["config"][0]["args"]
    template = heredoc(task["template"][0]["data"])
    assert '{{ range service "gloo-xds" }}' in template and "role: ${var.namespace}~${var.proxy_name}" in template

    ca = certificate_authority(tmp_path / "pki", "xds-ca")
    for xds_tls in ("false", "true"):
        text = interpolate(template, variables)
        bootstrap = render_template(text, env={"NOMAD_ALLOC_ID": "alloc-1", "XDS_TLS": xds_tls},
                                    services={"gloo-xds": [("10.0.0.5", 23456), ("10.0.0.6", 23457)]})
        bootstrap = bootstrap.replace("/local/xds-ca.pem", ca)
        parsed = yaml.safe_load(bootstrap)
        assert parsed["node"] == {"id": "gateway~alloc-1", "cluster": "gateway", "metadata": {"role": "gloo-system~gateway-proxy"}}
        assert parsed["admin"]["address"]["socket_address"] == {"address": "127.0.0.1", "port_value": 19000}
        # No periodic stats flush holding the main thread (and xDS) at 10,000 clusters.
        assert parsed["stats_flush_on_admin"] is True
        xds = parsed["static_resources"]["clusters"][0]
        assert xds["type"] == "STATIC" and len(xds["load_assignment"]["endpoints"][0]["lb_endpoints"]) == 2
        assert ("transport_socket" in xds) == (xds_tls == "true")
        assert parsed["dynamic_resources"]["ads_config"]["api_type"] == "DELTA_GRPC"
        path = tmp_path / f"envoy-{xds_tls}.yaml"
        path.write_text(bootstrap)
        result = subprocess.run([envoy_binary(), "--mode", "validate", "-c", str(path)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr


def test_policy_and_demo_job():
    policy = load("gloo-policy.hcl")
    paths = {name: body["capabilities"] for name, body in blocks(policy["path"]).items()}
    assert "read" in paths["secret/data/gloo/*"] and "list" in paths["secret/metadata/gloo/*"]
    assert "update" in paths["pki/issue/gateway"] and "update" in paths["auth/token/renew-self"]
    demo = blocks(job(load("demo.nomad.hcl"), "demo-web")["group"], "web")
    assert demo["service"][0]["name"] == "web" and demo["service"][0]["check"][0]["type"] == "http"


def example_keys():
    return sorted(str(path.relative_to(EXAMPLES).with_suffix("")) for path in (EXAMPLES / "gloo").rglob("*.yaml"))


def stub(directory, name):
    """An executable `name` on PATH that records its arguments, one call per line."""
    directory.mkdir(exist_ok=True)
    log = directory / f"{name}.calls"
    script = directory / name
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n')
    script.chmod(0o755)
    return log


def test_load_sh_puts_exactly_the_keys_the_paths_name(tmp_path):
    log = stub(tmp_path / "bin", "consul")
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    result = subprocess.run([str(EXAMPLES / "load.sh")], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert sorted(call.split()[2] for call in calls) == example_keys()
    for call in calls:
        verb, sub, key, value = call.split()
        assert (verb, sub) == ("kv", "put") and value == f"@{key}.yaml"
    # The Vault script writes the certificate where Gloo's layout puts Secret gloo-system/gateway-tls.
    vault_log = stub(tmp_path / "bin", "vault")
    result = subprocess.run([str(ROOT / "examples" / "vault" / "put-gateway-tls.sh")], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    args = vault_log.read_text().split()
    assert args[:4] == ["kv", "put", "-mount=secret", "gloo/gloo.solo.io/v1/Secret/gloo-system/gateway-tls"]
    assert args[4].startswith("tls.crt=@") and args[5].startswith("tls.key=@")


def test_loaded_examples_validate_and_serve(tmp_path):
    consul = ConsulServer()
    vault = VaultServer()
    petstore = Backend("petstore", port=8090)
    echo = Backend("echo", port=8091)
    gateway = envoy = None
    try:
        # load.sh without the consul CLI: curl on the HTTP API at CONSUL_HTTP_ADDR.
        env = {**os.environ, "CONSUL_HTTP_ADDR": consul.address, "PATH": "/usr/local/bin:/usr/bin:/bin"}
        result = subprocess.run([str(EXAMPLES / "load.sh")], capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        with urllib.request.urlopen(f"http://{consul.address}/v1/kv/gloo?recurse", timeout=5) as response:
            entries = json.loads(response.read())
        assert sorted(entry["Key"] for entry in entries) == example_keys()

        # What Consul holds passes validate (the certificate is in Vault).
        tree = tmp_path / "from-consul"
        for entry in entries:
            import base64
            path = tree / f"{entry['Key']}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(entry["Value"]))
        result = subprocess.run([fx.binary("gloo-hashi"), "validate", "--external-secrets", "--strict", str(tree)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "9 resources valid, 0 errors, 0 warnings" in result.stdout, result.stdout

        # The certificate as examples/vault puts it (plain tls.crt / tls.key), then run and Envoy.
        pki = tmp_path / "pki"
        ca = certificate_authority(pki, "examples-ca")
        certificate, key = issue(pki, "secure.example.com", 7)
        hvac.Client(url=vault.address, token="root").secrets.kv.v2.create_or_update_secret(
            path="gloo/gloo.solo.io/v1/Secret/gloo-system/gateway-tls", secret={"tls.crt": certificate, "tls.key": key})
        run_env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "CONSUL_"))}
        run_env["VAULT_TOKEN"] = "root"
        gateway = GlooHashi(None, tmp_path / "gloo-hashi.log", env=run_env,
                            extra_args=["--consul-address", consul.address, "--vault-address", vault.address, "--no-discovery"])
        envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
        eventually(lambda: status_of(8080, "/all-pets") == 200)
        assert json.loads(get(8080, "/all-pets")[1])["path"] == "/api/pets"
        eventually(lambda: serial_of_secure(ca) == 7)
        context = ssl.create_default_context(cafile=ca)
        with socket.create_connection(("127.0.0.1", 8443), timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname="secure.example.com") as tls:
            tls.sendall(b"GET /orders/42 HTTP/1.1\r\nHost: secure.example.com\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := tls.recv(65536):
                answer += chunk
        assert b" 200 " in answer.split(b"\r\n")[0] and b'"backend": "petstore"' in answer
    finally:
        if envoy:
            envoy.stop()
        if gateway:
            assert gateway.stop() == 0
        petstore.stop()
        echo.stop()
        vault.stop()
        consul.stop()


def status_of(port, path):
    try:
        return get(port, path)[0]
    except OSError:
        return None


def serial_of_secure(ca):
    try:
        return int(served_certificate(8443, "secure.example.com", ca)["serialNumber"], 16)
    except (OSError, ssl.SSLError):
        return None
