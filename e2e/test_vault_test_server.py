"""The Vault test server (hashi-test-servers vault) checked with an independent client, hvac, so
the Vault client and the test server cannot share one misunderstanding of the API (REFERENCE.md
section 5): KV v2 with versions, check-and-set, soft delete and metadata; KV v1; mount versions;
tokens with TTL and renewal; AppRole; 403 for a bad token; 503 while sealed."""

import subprocess
import urllib.request

import hvac
import hvac.exceptions
import pytest

import xds_fixtures as fx


class VaultServer:
    def __init__(self):
        self.process = subprocess.Popen([fx.binary("hashi-test-servers"), "vault", "--root-token", "root"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().split()
        assert line and line[0] == "vault", "the Vault test server did not start"
        self.address = f"http://{line[1]}"

    def control(self, name, **query):
        params = "&".join(f"{key}={value}" for key, value in query.items())
        request = urllib.request.Request(f"{self.address}/_test/{name}?{params}", method="PUT")
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read()

    def control_get(self, name):
        with urllib.request.urlopen(f"{self.address}/_test/{name}", timeout=5) as response:
            return response.read()

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def vault():
    server = VaultServer()
    yield server
    server.stop()


def test_kv2_versions_cas_delete_and_list(vault):
    client = hvac.Client(url=vault.address, token="root")
    kv = client.secrets.kv.v2
    path = "gloo/gloo.solo.io/v1/Secret/gloo-system/tls"
    first = kv.create_or_update_secret(path=path, secret={"tls": {"certChain": "A"}}, cas=0)
    assert first["data"]["version"] == 1
    with pytest.raises(hvac.exceptions.InvalidRequest):
        kv.create_or_update_secret(path=path, secret={"tls": {"certChain": "B"}}, cas=0)
    assert kv.create_or_update_secret(path=path, secret={"tls": {"certChain": "B"}}, cas=1)["data"]["version"] == 2
    read = kv.read_secret_version(path=path, raise_on_deleted_version=True)
    assert read["data"]["data"] == {"tls": {"certChain": "B"}} and read["data"]["metadata"]["version"] == 2
    assert kv.read_secret_version(path=path, version=1, raise_on_deleted_version=True)["data"]["data"]["tls"]["certChain"] == "A"
    metadata = kv.read_secret_metadata(path=path)
    assert metadata["data"]["current_version"] == 2 and set(metadata["data"]["versions"]) == {"1", "2"}
    # LIST as GET ?list=true: SwiftNIO's HTTP parser does not accept the LIST verb, so the test
    # server (and gloo-hashi's client) use Vault's documented GET form.
    def listed(folder):
        return client.adapter.get(f"/v1/secret/metadata/{folder}", params={"list": "true"})["data"]["keys"]

    assert listed("gloo/gloo.solo.io/v1/Secret/") == ["gloo-system/"]
    assert listed("gloo/gloo.solo.io/v1/Secret/gloo-system") == ["tls"]
    with pytest.raises(hvac.exceptions.InvalidPath):
        listed("nothing/here")

    # A soft-deleted latest version reads as absent, with its metadata.
    kv.delete_latest_version_of_secret(path=path)
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_version(path=path, raise_on_deleted_version=True)
    assert kv.read_secret_metadata(path=path)["data"]["versions"]["2"]["deletion_time"] != ""
    kv.delete_metadata_and_all_versions(path=path)
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_metadata(path=path)


def test_kv1_and_mount_versions(vault):
    vault.control("mount", path="legacy", version=1)
    client = hvac.Client(url=vault.address, token="root")
    client.secrets.kv.v1.create_or_update_secret(path="gloo/tls", secret={"tls.crt": "C", "tls.key": "K"}, mount_point="legacy")
    assert client.secrets.kv.v1.read_secret(path="gloo/tls", mount_point="legacy")["data"] == {"tls.crt": "C", "tls.key": "K"}
    assert client.adapter.get("/v1/legacy/gloo", params={"list": "true"})["data"]["keys"] == ["tls"]
    assert client.read("sys/internal/ui/mounts/legacy/gloo/tls")["data"]["options"]["version"] == "1"
    assert client.read("sys/internal/ui/mounts/secret/data/x")["data"]["options"]["version"] == "2"


def test_tokens_approle_forbidden_and_sealed(vault):
    token = vault.control("token", ttl=60, max_ttl=120).decode()
    token = __import__("json").loads(token)["token"]
    client = hvac.Client(url=vault.address, token=token)
    looked_up = client.auth.token.lookup_self()["data"]
    assert looked_up["renewable"] and 0 < looked_up["ttl"] <= 60
    vault.control("clock", advance=50)
    renewed = client.auth.token.renew_self(increment="1h")["auth"]
    assert renewed["lease_duration"] <= 70, "never past the max TTL (120 s from creation)"
    vault.control("clock", advance=121)
    with pytest.raises(hvac.exceptions.Forbidden):
        client.auth.token.lookup_self()

    vault.control("approle", role_id="role", secret_id="secret", ttl=30)
    login = hvac.Client(url=vault.address)
    auth = login.auth.approle.login(role_id="role", secret_id="secret")["auth"]
    assert auth["lease_duration"] == 30 and auth["client_token"]
    with pytest.raises(hvac.exceptions.InvalidRequest):
        hvac.Client(url=vault.address).auth.approle.login(role_id="role", secret_id="wrong")

    with pytest.raises(hvac.exceptions.Forbidden):
        hvac.Client(url=vault.address, token="nope").secrets.kv.v2.read_secret_version(path="x", raise_on_deleted_version=True)
    vault.control("seal", sealed="true")
    with pytest.raises(hvac.exceptions.VaultDown):
        hvac.Client(url=vault.address, token="root").secrets.kv.v2.read_secret_version(path="x", raise_on_deleted_version=True)
