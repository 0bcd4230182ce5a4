#!/usr/bin/env python3
"""Lists every field of Gloo's v1 API that gloo-hashi reads, from Gloo's own published schemas.

Usage: scripts/gloo_api_fields.py GLOO_GIT_DIR [REV] > Tests/GlooAPITests/Fixtures/gloo-v1-fields.txt

GLOO_GIT_DIR is a clone (or bare repository) of solo-io/gloo. The CRDs under
install/helm/gloo/crds/ carry the OpenAPI schema solo-kit generates from the protos, with the
JSON (camelCase) names a stored resource uses. Secrets are not a CRD in Gloo: their fields come
from projects/gloo/api/v1/secret.proto, parsed here for the messages the Secret's oneof names.

Each output line is `Kind<TAB>path<TAB>type`: `a.b[].c{}` walks object `a`, field `b` (a list),
field `c` (a map), and `type` is the leaf's JSON type (string, boolean, integer, number, object).
A test (GlooAPIFieldsTests) decodes one resource per line and fails on any `unknown field`.
"""

import re
import subprocess
import sys

import yaml

CRDS = {
    "Gateway": "gateway.solo.io_v1_Gateway.yaml",
    "VirtualService": "gateway.solo.io_v1_VirtualService.yaml",
    "RouteTable": "gateway.solo.io_v1_RouteTable.yaml",
    "Upstream": "gloo.solo.io_v1_Upstream.yaml",
    "UpstreamGroup": "gloo.solo.io_v1_UpstreamGroup.yaml",
    "Settings": "gloo.solo.io_v1_Settings.yaml",
}
# Written by Gloo's controllers, never by users: statuses and the Kubernetes-only fields.
SKIPPED = {"namespacedStatuses", "metadata"}


def show(git_dir, rev, path):
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"{rev}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def walk(schema, path, out):
    kind = schema.get("type", "object")
    if kind == "array":
        walk(schema.get("items", {}), path + "[]", out)
    elif kind == "object" and "properties" in schema:
        for name, child in sorted(schema["properties"].items()):
            if not path and name in SKIPPED:
                continue
            walk(child, f"{path}.{name}" if path else name, out)
    elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        walk(schema["additionalProperties"], path + "{}", out)
    else:
        out.append((path, kind))


def crd_fields(git_dir, rev, file):
    crd = yaml.safe_load(show(git_dir, rev, f"install/helm/gloo/crds/{file}"))
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    out = []
    walk(spec, "", out)
    return out


SCALARS = {"string": "string", "bytes": "string", "bool": "boolean", "double": "number", "float": "number"}


def proto_messages(text):
    """Top-level messages of a proto file: name -> [(json name, type, repeated, map)]."""
    text = re.sub(r"//[^\n]*", "", text)
    messages = {}
    for match in re.finditer(r"^message\s+(\w+)\s*\{", text, re.M):
        depth, index = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        body = text[match.end():index - 1]
        fields = []
        for field in re.finditer(r"(repeated\s+)?(map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+", body):
            repeated, ftype, name = field.groups()
            camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
            fields.append((camel, ftype, bool(repeated), ftype.startswith("map<")))
        messages[match.group(1)] = fields
    return messages


def secret_fields(git_dir, rev):
    messages = proto_messages(show(git_dir, rev, "projects/gloo/api/v1/secret.proto"))
    out = []

    def visit(message, path, depth):
        for name, ftype, repeated, is_map in messages[message]:
            if not path and name in SKIPPED:
                continue
            here = f"{path}.{name}" if path else name
            if repeated:
                here += "[]"
            if is_map:
                value = ftype[4:-1].split(",")[1].strip()
                here += "{}"
                ftype = value
            if ftype in messages and depth < 4:
                visit(ftype, here, depth + 1)
            elif ftype in SCALARS:
                out.append((here, SCALARS[ftype]))
            elif re.fullmatch(r"u?int(32|64)|s?fixed(32|64)|sint(32|64)", ftype):
                out.append((here, "integer"))
            else:
                out.append((here, "object"))

    visit("Secret", "", 0)
    return out


def main():
    git_dir = sys.argv[1]
    rev = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", rev], check=True,
                            capture_output=True, text=True).stdout.strip()
    print(f"# Every field of Gloo's v1 API, from solo-io/gloo {commit} by scripts/gloo_api_fields.py.")
    for kind, file in CRDS.items():
        for path, leaf in crd_fields(git_dir, rev, file):
            print(f"{kind}\t{path}\t{leaf}")
    for path, leaf in secret_fields(git_dir, rev):
        print(f"Secret\t{path}\t{leaf}")


if __name__ == "__main__":
    main()
