"""The operator CLI as users run it (`get`, `apply`, `delete`, `route add`, `secret create tls`,
`check`) against a directory, the Consul test server and the Vault test server: table and YAML
output, a CAS conflict reported, dry runs that write nothing (the request log shows no PUT),
delete protection, secrets that never print key material, and check's exit codes with a server
down and with a bad token."""

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import hvac

import xds_fixtures as fx
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi
from test_consul_kv import ConsulServer
from test_https import certificate_authority, issue
from test_nomad_test_server import NomadServer
from test_vault_test_server import VaultServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "consul-kv"
UPSTREAM = "gloo/gloo.solo.io/v1/Upstream/gloo-system"


def cli(*args, stdin=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONSUL_", "VAULT_", "NOMAD_"))}
    env.update(env_extra or {})
    return subprocess.run([fx.binary("gloo-hashi"), *args], capture_output=True, text=True, input=stdin, env=env, timeout=60)


def consul_requests(consul):
    with urllib.request.urlopen(f"http://{consul.address}/_test/requests", timeout=5) as response:
        return json.loads(response.read())


def test_directory_get_delete_protection_and_route_add(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES, tree)
    table = cli("get", "us", "--config-dir", str(tree))
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "DETAILS", "STATUS"]
    assert lines[1].split() == ["gloo-system", "echo", "static:", "127.0.0.1:8091", "Pending"]
    yaml_out = cli("get", "upstream", "petstore", "-o", "yaml", "--config-dir", str(tree))
    assert "# Upstream gloo-system/petstore" in yaml_out.stdout and "port: 8090" in yaml_out.stdout

    refused = cli("delete", "us", "petstore", "--config-dir", str(tree))
    assert refused.returncode == 1
    assert "VirtualService/gloo-system/default: virtualHost.routes[0].routeAction.single.upstream" in refused.stdout
    assert (tree / f"{UPSTREAM}/petstore.yaml").exists(), "nothing deleted"

    before = (tree / "gloo/gateway.solo.io/v1/VirtualService/gloo-system/default.yaml").read_text()
    dry = cli("route", "add", "--path-exact", "/health", "--method", "get", "--dest-name", "echo", "--dry-run", "-o", "yaml",
              "--config-dir", str(tree))
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "exact: /health" in dry.stdout and "- GET" in dry.stdout
    assert (tree / "gloo/gateway.solo.io/v1/VirtualService/gloo-system/default.yaml").read_text() == before, "dry run wrote nothing"
    added = cli("route", "add", "--path-prefix", "/api", "--dest-name", "petstore", "--prefix-rewrite", "/v2", "--index", "1",
                "--config-dir", str(tree))
    assert added.returncode == 0 and "VirtualService gloo-system/default configured" in added.stdout, added.stdout + added.stderr
    assert json.loads(cli("get", "vs", "default", "-o", "json", "--config-dir", str(tree)).stdout)["virtualHost"]["routes"][1] == {
        "matchers": [{"prefix": "/api"}], "options": {"prefixRewrite": "/v2"},
        "routeAction": {"single": {"upstream": {"name": "petstore", "namespace": "gloo-system"}}}}

    forced = cli("delete", "us", "echo", "--force", "--config-dir", str(tree))
    assert forced.returncode == 0 and not (tree / f"{UPSTREAM}/echo.yaml").exists()

    # Without Vault, a TLS Secret goes into the tree, in Gloo's layout; get shows no key material.
    pki = tmp_path / "pki"
    certificate_authority(pki, "dir-ca")
    certificate, key = issue(pki, "secure.example.com", 5)
    (tmp_path / "tls.crt").write_text(certificate)
    (tmp_path / "tls.key").write_text(key)
    created = cli("secret", "create", "tls", "gateway-tls", "--cert", str(tmp_path / "tls.crt"), "--key", str(tmp_path / "tls.key"),
                  "--config-dir", str(tree))
    assert created.returncode == 0 and "created in directory" in created.stdout, created.stdout + created.stderr
    assert "BEGIN CERTIFICATE" in (tree / "gloo/gloo.solo.io/v1/Secret/gloo-system/gateway-tls.yaml").read_text()
    shown = cli("get", "secret", "gateway-tls", "-o", "yaml", "--config-dir", str(tree))
    assert "[redacted]" in shown.stdout and "PRIVATE KEY" not in shown.stdout


def test_consul_apply_dry_run_conflict_and_delete(tmp_path):
    consul = ConsulServer()
    try:
        consul.put(f"{UPSTREAM}/petstore", "static: {hosts: [{addr: 127.0.0.1, port: 8090}]}")
        address = ["--consul-address", consul.address]
        manifest = """
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: echo, namespace: gloo-system}
spec:
  static: {hosts: [{addr: 127.0.0.1, port: 8091}]}
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: default, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes: [{matchers: [{prefix: /}], routeAction: {single: {upstream: {name: nowhere}}}}]
"""
        puts = len([r for r in consul_requests(consul) if r["method"] == "PUT"])
        dry = cli("apply", "-f", "-", "--dry-run", *address, stdin=manifest)
        assert "would apply Upstream gloo-system/echo" in dry.stdout, dry.stdout + dry.stderr
        assert "Warning gloo/gateway.solo.io/v1/VirtualService/gloo-system/default" in dry.stdout and "nowhere" in dry.stdout
        assert len([r for r in consul_requests(consul) if r["method"] == "PUT"]) == puts, "a dry run writes nothing"

        applied = cli("apply", "-f", "-", *address, stdin=manifest)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "Upstream gloo-system/echo created" in applied.stdout and "VirtualService gloo-system/default created" in applied.stdout
        table = cli("get", "vs", "-A", *address)
        assert table.stdout.splitlines()[1].split()[:2] == ["gloo-system", "default"]

        # A manifest carrying a resourceVersion that is no longer the stored one: a conflict, not an overwrite.
        stale = manifest.split("---")[0].replace("namespace: gloo-system}", "namespace: gloo-system, resourceVersion: '1'}")
        conflict = cli("apply", "-f", "-", *address, stdin=stale)
        assert conflict.returncode == 1 and "conflict" in conflict.stdout, conflict.stdout + conflict.stderr

        invalid = cli("apply", "-f", "-", *address, stdin=manifest.replace("port: 8091", "prot: 8091"))
        assert invalid.returncode == 1 and "did you mean 'port'" in invalid.stdout and "nothing written" in invalid.stdout

        # route add against Consul: the route lands in the stored VirtualService, first.
        added = cli("route", "add", "--path-prefix", "/echo", "--dest-name", "echo", *address)
        assert added.returncode == 0, added.stdout + added.stderr
        routes = json.loads(cli("get", "vs", "default", "-o", "json", *address).stdout)["virtualHost"]["routes"]
        assert routes[0]["matchers"] == [{"prefix": "/echo"}] and len(routes) == 2
        refused = cli("delete", "us", "echo", *address)
        assert refused.returncode == 1 and "virtualHost.routes[0].routeAction.single.upstream" in refused.stdout
        assert cli("delete", "us", "echo", "--force", *address).returncode == 0
        assert cli("get", "us", "echo", *address).returncode == 1
        # A dead Consul: the error names the address and where the token came from.
        consul.stop()
        consul = None
        dead = cli("get", "vs", *address, env_extra={"CONSUL_HTTP_TOKEN": "some-token"})
        assert dead.returncode == 1 and "unreachable" in dead.stderr
        assert "with the Consul token from environment CONSUL_HTTP_TOKEN" in dead.stderr and "some-token" not in dead.stderr
    finally:
        if consul:
            consul.stop()


def test_vault_secrets_and_check_exit_codes(tmp_path):
    consul = ConsulServer()
    vault = VaultServer()
    gateway = envoy = None
    try:
        pki = tmp_path / "pki"
        certificate_authority(pki, "cli-ca")
        certificate, key = issue(pki, "secure.example.com", 3)
        (tmp_path / "tls.crt").write_text(certificate)
        (tmp_path / "tls.key").write_text(key)
        _, other_key = issue(pki, "other.example.com", 4)
        (tmp_path / "other.key").write_text(other_key)
        env = {"VAULT_TOKEN": "root"}
        address = ["--consul-address", consul.address, "--vault-address", vault.address]
        mismatched = cli("secret", "create", "tls", "gateway-tls", "--cert", str(tmp_path / "tls.crt"), "--key",
                         str(tmp_path / "other.key"), *address, env_extra=env)
        assert mismatched.returncode == 1 and "does not belong to the first certificate" in mismatched.stdout
        created = cli("secret", "create", "tls", "gateway-tls", "--cert", str(tmp_path / "tls.crt"), "--key", str(tmp_path / "tls.key"),
                      *address, env_extra=env)
        assert created.returncode == 0 and "created in vault" in created.stdout, created.stdout + created.stderr
        stored = hvac.Client(url=vault.address, token="root").secrets.kv.v2.read_secret_version(
            path="gloo/gloo.solo.io/v1/Secret/gloo-system/gateway-tls")["data"]["data"]
        assert stored["tls"]["certChain"] == certificate and stored["metadata"]["name"] == "gateway-tls"
        again = cli("secret", "create", "tls", "gateway-tls", "--cert", str(tmp_path / "tls.crt"), "--key", str(tmp_path / "tls.key"),
                    *address, env_extra=env)
        assert again.returncode == 1 and "conflict" in again.stderr + again.stdout
        listed = cli("get", "secret", "-o", "yaml", *address, env_extra=env)
        assert "gateway-tls" in listed.stdout and "PRIVATE KEY" not in listed.stdout and "[redacted]" in listed.stdout

        # check: everything up and an Envoy connected -> 0; a bad Vault token -> 1; Consul down -> 1.
        consul.put("gloo/gateway.solo.io/v1/Gateway/gloo-system/http", f"bindAddress: 127.0.0.1\nbindPort: {fx.free_port()}\nhttpGateway: {{}}")
        gateway = GlooHashi(None, tmp_path / "gloo-hashi.log", extra_args=address,
                            env={**{k: v for k, v in os.environ.items() if not k.startswith(("CONSUL_", "VAULT_"))}, **env})
        envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
        admin = ["--admin-address", f"127.0.0.1:{gateway.admin_port}"]
        eventually(lambda: cli("check", *admin, *address, env_extra=env).returncode == 0, timeout=30)
        fine = cli("check", *admin, *address, env_extra=env)
        assert "ok: controller" in fine.stdout and "Envoy(s) connected" in fine.stdout, fine.stdout
        nomad = NomadServer(token="nomad-token")
        try:
            with_nomad = cli("check", *admin, *address, "--nomad-address", nomad.address, env_extra={**env, "NOMAD_TOKEN": "nomad-token"})
            assert with_nomad.returncode == 0 and "ok: nomad" in with_nomad.stdout, with_nomad.stdout
            refused = cli("check", *admin, *address, "--nomad-address", nomad.address, env_extra={**env, "NOMAD_TOKEN": "wrong"})
            assert refused.returncode == 1 and "problem: nomad" in refused.stdout and "Nomad refused" in refused.stdout
        finally:
            nomad.stop()
        bad_token = cli("check", *admin, *address, env_extra={"VAULT_TOKEN": "not-a-token"})
        assert bad_token.returncode == 1 and "problem: vault" in bad_token.stdout and "not-a-token" not in bad_token.stdout
        consul.stop()
        consul = None
        down = cli("check", *admin, *address, env_extra=env)
        assert down.returncode == 1 and "problem: consul" in down.stdout and "unreachable" in down.stdout, down.stdout
    finally:
        if envoy:
            envoy.stop()
        if gateway:
            gateway.stop()
        if consul:
            consul.stop()
        vault.stop()
