"""Builders for Envoy resources as JSON (with "@type"), and a driver for xds-fixture-server."""

import json
import os
import queue
import socket
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
T = "type.googleapis.com/"
CLUSTER = T + "envoy.config.cluster.v3.Cluster"
ENDPOINT = T + "envoy.config.endpoint.v3.ClusterLoadAssignment"
LISTENER = T + "envoy.config.listener.v3.Listener"
ROUTE = T + "envoy.config.route.v3.RouteConfiguration"
HCM = T + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER = T + "envoy.extensions.filters.http.router.v3.Router"
GROUP = "gloo-system~gateway-proxy"


def binary(name: str) -> str:
    for build in (".build/debug", ".build/release"):
        path = ROOT / build / name
        if path.exists():
            return str(path)
    raise RuntimeError(f"{name} is not built; run swift build first")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cluster(name, connect_timeout="1s"):
    return {"@type": CLUSTER, "name": name, "type": "EDS", "connect_timeout": connect_timeout,
            "eds_cluster_config": {"eds_config": {"ads": {}, "resource_api_version": "V3"}}}


def load_assignment(name, port):
    return {"@type": ENDPOINT, "cluster_name": name, "endpoints": [{"lb_endpoints": [
        {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": port}}}}]}]}


def listener(name, port, route_config):
    return {"@type": LISTENER, "name": name,
            "address": {"socket_address": {"address": "127.0.0.1", "port_value": port}},
            "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": {
                "@type": HCM, "stat_prefix": name,
                "rds": {"route_config_name": route_config, "config_source": {"ads": {}, "resource_api_version": "V3"}},
                "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": ROUTER}}]}}]}]}


def route_config(name, routes):
    return {"@type": ROUTE, "name": name,
            "virtual_hosts": [{"name": "all", "domains": ["*"], "routes": routes}]}


def to_cluster(prefix, cluster_name):
    return {"match": {"prefix": prefix}, "route": {"cluster": cluster_name}}


def direct(path, status, body):
    return {"match": {"path": path}, "direct_response": {"status": status, "body": {"inline_string": body}}}


class FixtureServer:
    """Runs xds-fixture-server on a snapshot file and collects the JSON lines it prints."""

    def __init__(self, directory: Path, resources, extra_args=()):
        self.path = directory / "snapshot.json"
        self.events: "queue.Queue[dict]" = queue.Queue()
        self.seen = []
        self.write(resources)
        self.process = subprocess.Popen(
            [binary("xds-fixture-server"), str(self.path), "--group", GROUP, *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.port = self.wait_for("listening")["port"]
        self.wait_for("published")

    def _read(self):
        for line in self.process.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                self.events.put({"event": "log", "line": line})

    def write(self, resources):
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"resources": resources}))
        os.replace(temporary, self.path)
        # Make sure the modification time moves even within the same clock tick.
        now = time.time()
        os.utime(self.path, (now, now + len(self.seen) * 0.001 + 0.001))

    def publish(self, resources):
        self.write(resources)
        return self.wait_for("published", "refused")

    def wait_for(self, *names, timeout=20.0, where=lambda event: True):
        for event in self.seen:
            if event.get("event") in names and where(event) and not event.get("_taken"):
                event["_taken"] = True
                return event
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                event = self.events.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise RuntimeError(f"xds-fixture-server exited: {self.process.returncode}")
                continue
            self.seen.append(event)
            if event.get("event") in names and where(event):
                event["_taken"] = True
                return event
        raise TimeoutError(f"no {names} event within {timeout}s; saw {self.seen[-10:]}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
