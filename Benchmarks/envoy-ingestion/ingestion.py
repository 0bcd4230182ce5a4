#!/usr/bin/env python3
"""Scenario 3, real Envoy ingestion: the generated configuration on disk, `gloo-hashi run`, a real
Envoy over ADS (SotW and delta), then one-VirtualService edits. Each edit is timed from the file
write until Envoy answers with the new route: the whole path a user waits for (directory scan,
debounce, translation, publish, xDS, Envoy's own apply). Run in both route modes.

The baseline: the same edits, translated before Envoy starts (gloo-hashi-bench
--baseline-responses) and served by a minimal pre-serialized ADS server (baseline_server.py);
each is timed from the publish command until Envoy answers. The difference is ours.

The same edits are also made through Consul KV (the Consul test server, `run --consul-address`).

Usage: ingestion.py BIN_DIR [--quick | --scale F] [--edits N] [--edit-interval-ms MS] [--consul-only [--modes scoped,single]]
(--consul-only: only the Consul KV rows, each next to the baseline server serving the same edits.)
(BIN_DIR holds gloo-hashi, gloo-hashi-bench and hashi-test-servers; scripts/bench.sh passes it.)"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e"))

from envoy_runner import Envoy, eventually  # noqa: E402
from xds_fixtures import free_port  # noqa: E402

GATEWAY = "gloo/gateway.solo.io/v1/Gateway/gloo-system/gateway-proxy.yaml"
SERVICE = "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-{}.yaml"
POLL_MS = 50


def probe(port, host):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/probe", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError):
        return ""


def write_atomically(path: Path, text: str):
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def service(index, generation):
    return (f"metadata: {{name: vs-{index}, namespace: gloo-system}}\n"
            f"virtualHost:\n  domains: [vs-{index}.example.com]\n"
            f"  routes: [{{matchers: [{{prefix: /probe}}], directResponseAction: {{status: 200, body: gen-{generation}}}}}]\n")


def wait_until_ready(admin_port):
    """Waits for gloo-hashi's /readyz (the first sync published)."""
    def ready():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/readyz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False
    eventually(ready, timeout=600)


def write_tree(bin_dir: Path, size_args, mode, tree: Path, listener_port: int) -> int:
    """The generated tree with a gateway in `mode`; returns the number of VirtualServices."""
    # Endpoints left out: in production they are discovered, and as 100,000 files they would
    # make this a benchmark of the directory scan.
    subprocess.run([str(bin_dir / "gloo-hashi-bench"), *size_args, "--write-tree", str(tree), "--without-endpoints"], check=True,
                   stdout=subprocess.DEVNULL)
    (tree / GATEWAY).write_text(
        f"metadata: {{name: gateway-proxy, namespace: gloo-system, annotations: {{gloo-hashi.io/route-mode: {mode}}}}}\n"
        f"bindAddress: 127.0.0.1\nbindPort: {listener_port}\nhttpGateway: {{}}\n")
    return len(list((tree / "gloo/gateway.solo.io/v1/VirtualService/gloo-system").glob("*.yaml")))


def edit_indices(services: int, edits: int):
    chooser = random.Random(1)
    return [chooser.randrange(services) for _ in range(edits)]


def cpu_seconds(pid):
    """User and system CPU time the process has used so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


EDIT_INTERVAL = 0.0


def measure(envoy_node, workdir, xds_port, api_type, listener_port, indices, publish, cpu=None):
    """Starts Envoy, times the initial load (edit 0 of VirtualService 0) and each edit from
    `publish(generation, index)` until Envoy serves it (edits EDIT_INTERVAL seconds apart; 0:
    back to back). With `cpu` (a dict holding a "pid"), also the CPU that process used during the
    edits, in "seconds" (the pauses between edits included)."""
    started = time.monotonic()
    envoy = Envoy(workdir, xds_port, api_type, node_id=envoy_node)
    try:
        publish(0, 0)
        eventually(lambda: probe(listener_port, "vs-0.example.com") == "gen-0", timeout=600, interval=0.01)
        initial = time.monotonic() - started
        samples = []
        cpu_before = cpu_seconds(cpu["pid"]) if cpu else 0
        for generation, index in enumerate(indices, start=1):
            if EDIT_INTERVAL and generation > 1:
                time.sleep(EDIT_INTERVAL)
            host = f"vs-{index}.example.com"
            begin = time.monotonic()
            publish(generation, index)
            eventually(lambda: probe(listener_port, host) == f"gen-{generation}", timeout=120, interval=0.002)
            samples.append(time.monotonic() - begin)
        if cpu:
            cpu["seconds"] = cpu_seconds(cpu["pid"]) - cpu_before
        rejected = envoy.stat("listener_manager.lds.update_rejected") + envoy.stat("cluster_manager.cds.update_rejected")
        return initial, samples, rejected
    finally:
        envoy.stop()


def scenario(bin_dir: Path, size_args, mode, api_type, edits, workdir: Path):
    tree = workdir / f"tree-{mode}-{api_type}"
    listener_port = free_port()
    services = write_tree(bin_dir, size_args, mode, tree, listener_port)
    xds_port, admin_port = free_port(), free_port()
    log = open(workdir / f"gloo-hashi-{mode}-{api_type}.log", "w")
    gateway = subprocess.Popen(
        [str(bin_dir / "gloo-hashi"), "run", "--config-dir", str(tree), "--xds-address", f"127.0.0.1:{xds_port}",
         "--admin-address", f"127.0.0.1:{admin_port}", "--poll-ms", str(POLL_MS), "--debounce-ms", "5",
         "--max-delay-ms", "50", "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(admin_port)

        def publish(generation, index):
            write_atomically(tree / SERVICE.format(index), service(index, generation))
        return measure(f"ingestion-{mode}-{api_type}", workdir, xds_port, api_type, listener_port,
                       edit_indices(services, edits), publish)
    finally:
        gateway.terminate()
        gateway.wait(timeout=30)
        log.close()


def prepare_baseline(bin_dir: Path, size_args, mode, edits, workdir: Path):
    """The baseline's responses for `mode`: the tree with edit 0 applied, then each edit,
    translated in advance. Returns the steps directory, the listener port and the VirtualService count."""
    tree = workdir / f"baseline-tree-{mode}"
    listener_port = free_port()
    services = write_tree(bin_dir, size_args, mode, tree, listener_port)
    write_atomically(tree / SERVICE.format(0), service(0, 0))
    edit_dirs = []
    for generation, index in enumerate(edit_indices(services, edits), start=1):
        directory = workdir / f"baseline-edits-{mode}" / str(generation)
        path = directory / SERVICE.format(index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(service(index, generation))
        edit_dirs.append(str(directory))
    steps = workdir / f"baseline-steps-{mode}"
    subprocess.run([str(bin_dir / "gloo-hashi-bench"), "--baseline-responses", str(steps), "--tree", str(tree),
                    "--edit-dirs", ",".join(edit_dirs)], check=True)
    return steps, listener_port, services


def baseline(steps: Path, listener_port: int, services: int, mode, api_type, edits, workdir: Path):
    xds_port = free_port()
    log = open(workdir / f"baseline-{mode}-{api_type}.log", "w")
    server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("baseline_server.py")), str(steps), str(xds_port)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError(f"baseline server did not start (see {log.name})")

        def publish(generation, index):
            if generation > 0:
                server.stdin.write(f"{generation}\n")
                server.stdin.flush()
                server.stdout.readline()
        return measure(f"baseline-{mode}-{api_type}", workdir, xds_port, api_type, listener_port,
                       edit_indices(services, edits), publish)
    finally:
        server.stdin.close()
        server.terminate()
        server.wait(timeout=30)
        log.close()


def consul_scenario(bin_dir: Path, size_args, mode, api_type, edits, workdir: Path):
    """The same edits through Consul KV: the tree PUT into the Consul test server
    (hashi-test-servers), `gloo-hashi run --consul-address`, each edit a PUT of one
    VirtualService, timed until Envoy serves it. Returns the figures and the bytes one watch
    answer carries."""
    tree = workdir / f"consul-tree-{mode}-{api_type}"
    listener_port = free_port()
    services = write_tree(bin_dir, size_args, mode, tree, listener_port)
    consul = subprocess.Popen([str(bin_dir / "hashi-test-servers"), "consul"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    address = consul.stdout.readline().split()[1]

    def put(key, text):
        request = urllib.request.Request(f"http://{address}/v1/kv/{key}", data=text.encode(), method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    for path in sorted(tree.rglob("*.yaml")):
        put(str(path.relative_to(tree))[:-len(".yaml")], path.read_text())
    with urllib.request.urlopen(f"http://{address}/v1/kv/gloo/?recurse", timeout=60) as response:
        answer_bytes = len(response.read())
    xds_port, admin_port = free_port(), free_port()
    log = open(workdir / f"gloo-hashi-consul-{mode}-{api_type}.log", "w")
    gateway = subprocess.Popen(
        [str(bin_dir / "gloo-hashi"), "run", "--consul-address", address, "--xds-address", f"127.0.0.1:{xds_port}",
         "--admin-address", f"127.0.0.1:{admin_port}", "--debounce-ms", "5", "--max-delay-ms", "50", "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        started = time.monotonic()
        wait_until_ready(admin_port)
        # The leader writes every resource's status once; edits are timed after that settles.
        settled = wait_for_status_writes(admin_port)
        write_back = time.monotonic() - started

        def publish(generation, index):
            put(SERVICE.format(index)[:-len(".yaml")], service(index, generation))
        cpu = {"pid": gateway.pid}
        initial, samples, rejected = measure(f"consul-{mode}-{api_type}", workdir, xds_port, api_type, listener_port,
                                             edit_indices(services, edits), publish, cpu)
        return initial, samples, rejected, answer_bytes, settled, write_back, peak_rss(gateway.pid), cpu["seconds"] / len(samples)
    finally:
        gateway.terminate()
        gateway.wait(timeout=30)
        log.close()
        consul.stdin.close()
        consul.wait(timeout=30)


def metric(admin_port, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def wait_for_status_writes(admin_port):
    """Waits until the status writer has been idle for two seconds; returns how many it wrote."""
    name = 'gloo_hashi_status_writes_total{result="written"}'
    last, quiet_since = -1.0, time.monotonic()
    while True:
        current = metric(admin_port, name)
        if current != last:
            last, quiet_since = current, time.monotonic()
        elif time.monotonic() - quiet_since >= 2:
            return int(current)
        time.sleep(0.2)


def peak_rss(pid):
    """The process's peak resident set (VmHWM) in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def consul_rows(args, size_args, size, edits, workdir):
    """Consul KV ingestion in both route modes, each next to the baseline server (Envoy's own
    apply time for the same edits)."""
    ms = lambda seconds: f"{seconds * 1000:.1f} ms"  # noqa: E731
    for mode in args.modes.split(","):
        steps, baseline_port, services = prepare_baseline(args.bin_dir, size_args, mode, edits, workdir)
        initial, samples, rejected, answer, written, write_back, rss, cpu_per_edit = consul_scenario(
            args.bin_dir, size_args, mode, "DELTA_GRPC", edits, workdir)
        floor_initial, floor, floor_rejected = baseline(steps, baseline_port, services, mode, "DELTA_GRPC", edits, workdir)
        print(f"| Consul KV ingestion, {mode} routes, delta | {size} ({services} VS) | {initial:.2f} s | "
              f"{ms(statistics.median(samples))} | {ms(percentile(samples, 0.99))} | {ms(max(samples))} | {edits} edits, KV PUT "
              f"to Envoy serving it; the whole tree read recursively is {answer / 1e6:.2f} MB; {written} statuses written back in "
              f"{write_back:.1f} s before the edits; controller CPU per edit {ms(cpu_per_edit)}; controller peak RSS {rss:.0f} MiB; "
              f"rejected updates: {rejected} |", flush=True)
        print(f"| baseline server, {mode} routes, delta | {size} ({services} VS) | {floor_initial:.2f} s | "
              f"{ms(statistics.median(floor))} | {ms(percentile(floor, 0.99))} | {ms(max(floor))} | the same edits pre-serialized; "
              f"Consul path / baseline at p50: {statistics.median(samples) / statistics.median(floor):.2f}x, at p99: "
              f"{percentile(samples, 0.99) / percentile(floor, 0.99):.2f}x; rejected updates: {floor_rejected} |", flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round((len(ordered) - 1) * fraction + 0.4999)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin_dir", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale")
    parser.add_argument("--edits", type=int)
    parser.add_argument("--consul-only", action="store_true")
    parser.add_argument("--modes", default="scoped,single", help="route modes, comma-separated")
    parser.add_argument("--edit-interval-ms", type=int, default=0,
                        help="pause between edits (0: back to back, each edit right after Envoy served the last)")
    args = parser.parse_args()
    global EDIT_INTERVAL
    EDIT_INTERVAL = args.edit_interval_ms / 1000
    size_args = ["--quick"] if args.quick else (["--scale", args.scale] if args.scale else [])
    edits = args.edits or (5 if args.quick else 30)
    print("| scenario | size | initial load | edit p50 | edit p99 | max | note |")
    print("|---|---|---|---|---|---|---|")
    ms = lambda seconds: f"{seconds * 1000:.1f} ms"  # noqa: E731
    size = " ".join(size_args) or "full"
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        if args.consul_only:
            consul_rows(args, size_args, size, edits, workdir)
            return
        for mode in ("scoped", "single"):
            steps, baseline_port, services = prepare_baseline(args.bin_dir, size_args, mode, edits, workdir)
            for api_type in ("GRPC", "DELTA_GRPC"):
                protocol = "SotW" if api_type == "GRPC" else "delta"
                initial, samples, rejected = scenario(args.bin_dir, size_args, mode, api_type, edits, workdir)
                floor_initial, floor, floor_rejected = baseline(steps, baseline_port, services, mode, api_type, edits, workdir)
                print(f"| Envoy ingestion, {mode} routes, {protocol} | {size} | {initial:.2f} s | {ms(statistics.median(samples))} | "
                      f"{ms(percentile(samples, 0.99))} | {ms(max(samples))} | {edits} edits, file write to Envoy "
                      f"serving it (directory scanned every {POLL_MS} ms, endpoints not in the tree); rejected updates: {rejected} |",
                      flush=True)
                print(f"| baseline server, {mode} routes, {protocol} | {size} | {floor_initial:.2f} s | "
                      f"{ms(statistics.median(floor))} | {ms(percentile(floor, 0.99))} | {ms(max(floor))} | the same edits "
                      f"pre-serialized, publish to Envoy serving it; ours - baseline at p50: "
                      f"{ms(statistics.median(samples) - statistics.median(floor))}; rejected updates: {floor_rejected} |",
                      flush=True)
            # Through Consul KV (the Consul test server), delta only.
            initial, samples, rejected, answer, _, _, _, _ = consul_scenario(args.bin_dir, size_args, mode, "DELTA_GRPC", edits, workdir)
            print(f"| Consul KV ingestion, {mode} routes, delta | {size} | {initial:.2f} s | {ms(statistics.median(samples))} | "
                  f"{ms(percentile(samples, 0.99))} | {ms(max(samples))} | {edits} edits, KV PUT to Envoy serving it (Consul "
                  f"test server; the whole tree read recursively is {answer / 1e6:.2f} MB); rejected updates: {rejected} |", flush=True)


if __name__ == "__main__":
    main()
