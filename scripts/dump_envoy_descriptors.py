"""Writes a FileDescriptorSet of the Envoy v3 protos gloo-hashi uses, in dependency order.

The descriptors come from the pinned PyPI package xds-protos (official Envoy descriptors,
serialized inside its _pb2 modules). Usage: dump_envoy_descriptors.py OUT.pb ROOTS.txt
"""

import importlib
import sys

from google.protobuf import descriptor_pb2


def module_name(proto_path: str) -> str:
    return proto_path[: -len(".proto")].replace("/", ".").replace("-", "_") + "_pb2"


def main() -> None:
    out_path, roots_path = sys.argv[1], sys.argv[2]
    roots = [line.strip() for line in open(roots_path) if line.strip() and not line.startswith("#")]
    ordered = []
    seen = set()

    def visit(file_descriptor) -> None:
        if file_descriptor.name in seen:
            return
        seen.add(file_descriptor.name)
        for dependency in file_descriptor.dependencies:
            visit(dependency)
        ordered.append(file_descriptor)

    for root in roots:
        visit(importlib.import_module(module_name(root)).DESCRIPTOR)

    descriptor_set = descriptor_pb2.FileDescriptorSet()
    for file_descriptor in ordered:
        proto = descriptor_set.file.add()
        file_descriptor.CopyToProto(proto)
    with open(out_path, "wb") as handle:
        handle.write(descriptor_set.SerializeToString())
    for file_descriptor in ordered:
        print(file_descriptor.name)


if __name__ == "__main__":
    main()
