"""The Consul test server checked with an independent client, py-consul (PyPI; it reports indexes as strings), so that our
client and our test server cannot share one misunderstanding of Consul's API: KV reads with
their index, 404s, CAS, recurse and keys listings, blocking queries that return on a change, and
ACL tokens."""

import threading
import time

import consul
import pytest

from test_consul_kv import ConsulServer


@pytest.fixture
def server():
    running = ConsulServer()
    yield running
    running.stop()


def client(server, token=None):
    host, port = server.address.rsplit(":", 1)
    return consul.Consul(host=host, port=int(port), token=token)


def test_kv_reads_writes_and_cas(server):
    kv = client(server).kv
    index, missing = kv.get("gloo/missing")
    assert missing is None and int(index) > 0, "a 404 still carries X-Consul-Index"
    assert kv.put("gloo/a", "one") is True
    index, item = kv.get("gloo/a")
    assert item["Value"] == b"one" and item["ModifyIndex"] == int(index)
    assert kv.put("gloo/a", "two", cas=item["ModifyIndex"] + 5) is False, "a stale cas loses"
    assert kv.put("gloo/a", "two", cas=item["ModifyIndex"]) is True
    assert kv.put("gloo/b", "new", cas=0) is True and kv.put("gloo/b", "again", cas=0) is False
    _, items = kv.get("gloo/", recurse=True)
    assert [i["Key"] for i in items] == ["gloo/a", "gloo/b"] and items[0]["Value"] == b"two"
    _, keys = kv.get("gloo/", keys=True)
    assert keys == ["gloo/a", "gloo/b"]
    _, b = kv.get("gloo/b")
    assert kv.delete("gloo/b", cas=b["ModifyIndex"] + 1) is False and kv.delete("gloo/b", cas=b["ModifyIndex"]) is True
    assert kv.get("gloo/b")[1] is None


def test_blocking_query_returns_on_a_change(server):
    kv = client(server).kv
    kv.put("gloo/watched", "v1")
    index, _ = kv.get("gloo/", recurse=True)
    answers = []
    # The wait is five minutes: an answer before the join gives up came from the change.
    reader = threading.Thread(target=lambda: answers.append(kv.get("gloo/", recurse=True, index=index, wait="5m")))
    reader.start()
    time.sleep(0.3)
    assert not answers, "the query blocks while nothing changes"
    client(server).kv.put("gloo/watched", "v2")
    reader.join(timeout=60)
    assert answers, "the change ended the blocking query"
    new_index, items = answers[0]
    assert int(new_index) > int(index) and items[0]["Value"] == b"v2"


def test_acl_tokens():
    secured = ConsulServer(token="root-token")
    try:
        assert client(secured, token="root-token").kv.put("gloo/x", "1") is True
        with pytest.raises(consul.ACLPermissionDenied):
            client(secured, token="wrong").kv.get("gloo/x")
    finally:
        secured.stop()
