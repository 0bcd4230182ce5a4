"""Runs `gloo-hashi run` on a KV tree written by the test."""

import subprocess
import textwrap
import urllib.request
from pathlib import Path

from envoy_runner import eventually
from xds_fixtures import binary, free_port


def write_tree(root: Path, files: dict) -> None:
    """Writes {key: yaml} as <root>/<key>.yaml."""
    for key, text in files.items():
        path = root / f"{key}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


class GlooHashi:
    def __init__(self, config_dir: Path, log: Path, extra_args=(), env=None):
        self.xds_port = free_port()
        self.admin_port = free_port()
        self.log_path = log
        self.log = open(log, "w")
        self.process = subprocess.Popen(
            [binary("gloo-hashi"), "run", *(["--config-dir", str(config_dir)] if config_dir else []),
             "--xds-address", f"127.0.0.1:{self.xds_port}", "--admin-address", f"127.0.0.1:{self.admin_port}",
             "--poll-ms", "50", *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        eventually(lambda: self.status("/readyz") == 200, timeout=30)

    def status(self, path: str):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}{path}", timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}{path}", timeout=5) as response:
            return response.read().decode()

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(timeout=15)
        finally:
            self.log.close()
