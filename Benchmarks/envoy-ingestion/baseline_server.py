#!/usr/bin/env python3
"""Scenario 3's baseline: a minimal ADS server (SotW and delta) that serves responses assembled
from pre-serialized resources, so that the time from "publish" to Envoy serving is Envoy's own.

Usage: baseline_server.py STEPS_DIR PORT
STEPS_DIR holds step-0.bin, step-1.bin, ... (gloo-hashi-bench --baseline-responses). Step 0 is
served as soon as Envoy subscribes; a line `K` on stdin publishes step K's changes to every
stream. The server prints `ready` once it listens and `published K` after each push.

Per type it does what a real server must and nothing more: CDS, LDS and SRDS get their whole
state on every change; EDS and RDS get the resources that are new to a subscription or changed.
Responses are concatenations of bytes prepared before Envoy connects; requests are decoded only
for their type, names and nonce. Runs in the .venv-xds venv (grpcio, xds-protos)."""

import queue
import struct
import sys
import threading
from concurrent import futures
from pathlib import Path

import grpc
from envoy.service.discovery.v3 import discovery_pb2

STATE_OF_THE_WORLD = {
    "type.googleapis.com/envoy.config.cluster.v3.Cluster",
    "type.googleapis.com/envoy.config.listener.v3.Listener",
    "type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration",
}
EMPTY_MEANS_WILDCARD = {
    "type.googleapis.com/envoy.config.cluster.v3.Cluster",
    "type.googleapis.com/envoy.config.listener.v3.Listener",
}


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


class Prepared:
    """One resource, encoded once in both response forms."""

    def __init__(self, type_url: str, name: str, payload: bytes, step: int):
        any_bytes = field(1, type_url.encode()) + field(2, payload)
        self.name = name
        self.sotw = field(2, any_bytes)  # DiscoveryResponse.resources
        version = str(step).encode()
        self.delta = field(2, field(3, name.encode()) + field(1, version) + field(2, any_bytes))  # .resources


def read_step(path: Path, step: int):
    changed, removed = {}, {}
    data = path.read_bytes()
    offset = 0
    while offset < len(data):
        kind = data[offset]
        offset += 1
        fields = []
        for _ in range(3):
            (length,) = struct.unpack_from(">I", data, offset)
            offset += 4
            fields.append(data[offset:offset + length])
            offset += length
        type_url, name = fields[0].decode(), fields[1].decode()
        if kind == 0:
            changed.setdefault(type_url, {})[name] = Prepared(type_url, name, fields[2], step)
        else:
            removed.setdefault(type_url, set()).add(name)
    return changed, removed


def report_nack(request):
    if request.error_detail.message:
        print(f"NACK {request.type_url}: {request.error_detail.message}", file=sys.stderr, flush=True)


class Subscription:
    def __init__(self):
        self.wildcard = False
        self.names = set()
        self.sent = set()

    def wants(self, name: str) -> bool:
        if self.wildcard or name in self.names:
            return True
        return any(pattern.endswith("/*") and name.startswith(pattern[:-1]) and "/" not in name[len(pattern) - 1:]
                   for pattern in self.names)


class Baseline:
    def __init__(self, steps_dir: Path):
        self.steps = []
        index = 0
        while (steps_dir / f"step-{index}.bin").exists():
            self.steps.append(read_step(steps_dir / f"step-{index}.bin", index))
            index += 1
        self.state = {}  # type -> name -> Prepared
        self.step = -1
        self.streams = []
        self.lock = threading.Lock()
        self.apply(0)

    def apply(self, step: int):
        changed, removed = self.steps[step]
        with self.lock:
            for type_url, resources in changed.items():
                self.state.setdefault(type_url, {}).update(resources)
            for type_url, names in removed.items():
                for name in names:
                    self.state.get(type_url, {}).pop(name, None)
            self.step = step
            streams = list(self.streams)
        for stream in streams:
            stream.put(("step", changed, removed))

    def register(self, events):
        with self.lock:
            self.streams.append(events)

    def unregister(self, events):
        with self.lock:
            self.streams.remove(events)

    def serve(self, request_iterator, decode, handle):
        events = queue.Queue()
        self.register(events)

        def read():
            try:
                for request in request_iterator:
                    events.put(("request", decode(request)))
            except grpc.RpcError:
                pass
            events.put(("end",))

        threading.Thread(target=read, daemon=True).start()
        subscriptions = {}
        nonce = 0
        try:
            while True:
                event = events.get()
                if event[0] == "end":
                    return
                for response in handle(event, subscriptions):
                    nonce += 1
                    yield response + field(5, str(nonce).encode())
        finally:
            self.unregister(events)

    def sotw(self, request_iterator, context):
        def handle(event, subscriptions):
            if event[0] == "request":
                request = event[1]
                report_nack(request)
                type_url = request.type_url
                first = type_url not in subscriptions
                subscription = subscriptions.setdefault(type_url, Subscription())
                names = set(request.resource_names)
                subscription.wildcard = "*" in names or (type_url in EMPTY_MEANS_WILDCARD and not names)
                subscription.names = names - {"*"}
                wanted = {name for name in self.state.get(type_url, {}) if subscription.wants(name)}
                subscription.sent &= wanted
                new = wanted - subscription.sent
                if first or new:
                    yield self.sotw_response(type_url, subscription, wanted if type_url in STATE_OF_THE_WORLD or first else new)
            else:
                _, changed, removed = event
                for type_url, subscription in subscriptions.items():
                    if type_url not in changed and type_url not in removed:
                        continue
                    wanted = {name for name in self.state.get(type_url, {}) if subscription.wants(name)}
                    if type_url in STATE_OF_THE_WORLD:
                        yield self.sotw_response(type_url, subscription, wanted)
                    else:
                        news = {name for name in changed.get(type_url, {}) if name in wanted}
                        if news:
                            yield self.sotw_response(type_url, subscription, news)

        return self.serve(request_iterator, lambda request: request, handle)

    def sotw_response(self, type_url, subscription, names):
        resources = self.state.get(type_url, {})
        subscription.sent |= names
        body = b"".join(resources[name].sotw for name in sorted(names))
        return field(1, str(self.step).encode()) + body + field(4, type_url.encode())

    def delta(self, request_iterator, context):
        def handle(event, subscriptions):
            if event[0] == "request":
                request = event[1]
                report_nack(request)
                type_url = request.type_url
                first = type_url not in subscriptions
                subscription = subscriptions.setdefault(type_url, Subscription())
                subscribe = set(request.resource_names_subscribe)
                if first and type_url in EMPTY_MEANS_WILDCARD and not subscribe:
                    subscription.wildcard = True
                subscription.wildcard = subscription.wildcard or "*" in subscribe
                subscription.names |= subscribe - {"*"}
                subscription.names -= set(request.resource_names_unsubscribe)
                wanted = {name for name in self.state.get(type_url, {}) if subscription.wants(name)}
                subscription.sent &= wanted
                new = wanted - subscription.sent
                if new:
                    yield self.delta_response(type_url, subscription, new, set())
            else:
                _, changed, removed = event
                for type_url, subscription in subscriptions.items():
                    news = {name for name in changed.get(type_url, {}) if subscription.wants(name)}
                    gone = {name for name in removed.get(type_url, set()) if name in subscription.sent}
                    if news or gone:
                        yield self.delta_response(type_url, subscription, news, gone)

        return self.serve(request_iterator, lambda request: request, handle)

    def delta_response(self, type_url, subscription, names, removed):
        resources = self.state.get(type_url, {})
        subscription.sent = (subscription.sent | names) - removed
        body = b"".join(resources[name].delta for name in sorted(names))
        gone = b"".join(field(6, name.encode()) for name in sorted(removed))
        return field(1, str(self.step).encode()) + body + field(4, type_url.encode()) + gone


def main():
    steps_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    baseline = Baseline(steps_dir)
    identity = lambda response: response  # noqa: E731
    handler = grpc.method_handlers_generic_handler("envoy.service.discovery.v3.AggregatedDiscoveryService", {
        "StreamAggregatedResources": grpc.stream_stream_rpc_method_handler(
            baseline.sotw, request_deserializer=discovery_pb2.DiscoveryRequest.FromString, response_serializer=identity),
        "DeltaAggregatedResources": grpc.stream_stream_rpc_method_handler(
            baseline.delta, request_deserializer=discovery_pb2.DeltaDiscoveryRequest.FromString,
            response_serializer=identity),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)])
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    print("ready", flush=True)
    for line in sys.stdin:
        step = int(line)
        baseline.apply(step)
        print(f"published {step}", flush=True)
    server.stop(grace=1)


if __name__ == "__main__":
    main()
