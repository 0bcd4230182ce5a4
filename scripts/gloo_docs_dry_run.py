#!/usr/bin/env python3
"""Runs every Gloo-kind document of a Gloo source tree through `gloo-hashi apply --dry-run` and
prints, per document, accepted or rejected with gloo-hashi's reason, then the totals.

Where documents come from: YAML code blocks and shell heredocs (`<<EOF ... EOF`) in the docs'
Markdown, and the YAML files of the tree (examples, test data, the docker-compose installs).

What is counted: documents with apiVersion gateway.solo.io/v1 or gloo.solo.io/v1 and a kind
gloo-hashi reads (Gateway, VirtualService, RouteTable, VirtualHostOption, RouteOption, Upstream,
UpstreamGroup) that name their resource. Left out, and counted apart: excerpts without a
metadata.name, documents that only work on Kubernetes (`kube`
upstreams and destinations, Kubernetes Gateway API attachment) and documents that use a Gloo
Enterprise feature, which Gloo's open-source edition refuses too (its enterprise_warning plugin:
jwt, rbac, waf, extProc, dlp, caching, wasm, tap, failover, ... and AuthConfig / RateLimitConfig
references). Accepted means nothing about the document is an error: no decode error, no
`Rejected` report for its key; warnings (a missing route Upstream, an ignored option) do not
count against it, as they do not stop Gloo either. The documents of one code
block or file are applied together, as a guide applies them, and each is judged by what is said
about it.

Usage: scripts/gloo_docs_dry_run.py GLOO_GIT_DIR [--binary .build/debug/gloo-hashi] [--summary]
GLOO_GIT_DIR is a clone or a bare mirror of solo-io/gloo (read with `git show`, at HEAD).
"""

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

KINDS = {"Gateway", "VirtualService", "RouteTable", "VirtualHostOption", "RouteOption", "Upstream", "UpstreamGroup"}
API = re.compile(r"^apiVersion:\s*(gateway|gloo)\.solo\.io/v1\s*$", re.M)
KIND = re.compile(r"^kind:\s*(\w+)\s*$", re.M)
# A complete manifest names its resource; excerpts ("metadata: # collapsed") are left out.
NAMED = re.compile(r"^metadata:\s*\n(\s+.*\n)*?\s+name:\s*\S", re.M)
KUBERNETES = re.compile(r"^\s*(kube|targetRefs?|kubeServiceDestination):", re.M)
ENTERPRISE = re.compile(
    r"^\s*(jwt|jwtStaged|jwtProvidersStaged|jwtConfig|rbac|waf|extProc|extProcEarly|extProcLate|disableExtProc|dlp|"
    r"caching|wasm|tap|statefulSession|failover|gcp|leftmostXffAddress|proxyLatency|sanitizeClusterHeader|"
    r"responseAssertions|ratelimitBasic|rateLimitConfigs|rateLimitEarlyConfigs|rateLimitRegularConfigs|"
    r"ratelimitEarly|ratelimitRegular|graphqlApiRef|ai|wrapAsApiGateway|configRef|extauth):", re.M)


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True, text=True).stdout


def git_dir_of(path):
    """The git directory of a clone or a bare mirror."""
    candidate = Path(path)
    return str(candidate / ".git") if (candidate / ".git").exists() else str(candidate)


def documents(text):
    """Splits YAML text into documents."""
    for part in re.split(r"^---\s*$", text, flags=re.M):
        if part.strip():
            yield part.strip("\n") + "\n"


def markdown_yaml(text):
    """YAML inside ```yaml blocks and Hugo `highlight yaml` shortcodes, and inside the heredocs of
    shell blocks; each block dedented (blocks inside Markdown lists are indented)."""
    blocks = [(m.group(1).lower(), m.group(2)) for m in re.finditer(r"```([a-zA-Z]*)[^\n]*\n(.*?)```", text, flags=re.S)]
    blocks += [(m.group(1).lower(), m.group(2))
               for m in re.finditer(r"{{<\s*highlight\s+(\w+)[^>]*>}}\n?(.*?){{<\s*/highlight\s*>}}", text, flags=re.S)]
    for language, body in blocks:
        body = textwrap.dedent(body)
        heredocs = list(re.finditer(r"<<\s*['\"]?(\w+)['\"]?\s*\n(.*?)\n\s*\1\s*$", body, flags=re.S | re.M))
        for heredoc in heredocs:
            yield textwrap.dedent(heredoc.group(2))
        if language in ("yaml", "yml") and not heredocs:
            yield body


def candidates(git_dir):
    """(source, document) for every Gloo-kind document of the tree."""
    files = git(git_dir, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    for name in files:
        is_doc = name.startswith("docs/content/") and name.endswith(".md")
        is_yaml = name.endswith((".yaml", ".yml")) and not name.startswith(("docs/", "install/helm/", "vendor/")) \
            and "/crds/" not in name and "/templates/" not in name and "changelog" not in name
        if not (is_doc or is_yaml):
            continue
        try:
            text = git(git_dir, "show", f"HEAD:{name}")
        except subprocess.CalledProcessError:
            continue
        blocks = markdown_yaml(text) if is_doc else [text]
        for number, block in enumerate(blocks):
            for index, document in enumerate(documents(block)):
                if API.search(document) and (kind := KIND.search(document)) and kind.group(1) in KINDS \
                        and "{{" not in document:
                    yield f"{name}#{number}.{index}", f"{name}#{number}", kind.group(1), document


def resource_key(kind, document):
    """The KV key a manifest's resource gets (as `apply` names it in its reports)."""
    group = "gloo.solo.io" if kind in ("Upstream", "UpstreamGroup") else "gateway.solo.io"
    metadata = re.search(r"^metadata:\s*\n((?:\s+.*\n?)*)", document, re.M)
    text = metadata.group(1) if metadata else ""
    name = re.search(r"^\s+name:\s*['\"]?([^'\"\s]+)", text, re.M)
    namespace = re.search(r"^\s+namespace:\s*['\"]?([^'\"\s]+)", text, re.M)
    return f"gloo/{group}/v1/{kind}/{namespace.group(1) if namespace else 'gloo-system'}/{name.group(1) if name else ''}"


def dry_run(binary, documents_of_block, tree):
    """Each document's outcome when the documents of its block are applied together, as a guide
    applies them (a Gateway's collector Upstream is often the document before it): decode errors
    name their document; translation names the rejected keys. A document whose decode fails is
    left out and the rest are applied again."""
    outcomes = {}
    pending = list(range(len(documents_of_block)))
    while pending:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as manifest:
            manifest.write("---\n".join(documents_of_block[index][1] for index in pending))
            manifest.flush()
            result = subprocess.run([binary, "apply", "-f", manifest.name, "--dry-run", "--config-dir", tree],
                                    capture_output=True, text=True, timeout=60)
        lines = (result.stdout + result.stderr).replace(manifest.name, "manifest").splitlines()
        failed = set()
        for line in lines:
            found = re.match(r"(?:Error|error): manifest(?: \(document (\d+)\))?: (.*)", line)
            if found:
                position = pending[int(found.group(1)) - 1] if found.group(1) else pending[0]
                outcomes.setdefault(position, (False, []))[1].append("error: " + found.group(2))
                failed.add(position)
        if failed:
            pending = [index for index in pending if index not in failed]
            continue
        for index in pending:
            kind, document = documents_of_block[index]
            key = resource_key(kind, document)
            rejected = [line for line in lines if line.startswith(f"Rejected {key}: ")]
            outcomes[index] = (not rejected, rejected)
        break
    return [outcomes[index] for index in range(len(documents_of_block))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gloo")
    parser.add_argument("--binary", default=str(Path(__file__).resolve().parent.parent / ".build/debug/gloo-hashi"))
    parser.add_argument("--summary", action="store_true", help="print only the totals and the reasons by count")
    arguments = parser.parse_args()
    git_dir = git_dir_of(arguments.gloo)
    seen = set()
    counts = collections.Counter()
    reasons = collections.Counter()
    blocks = collections.OrderedDict()
    for source, block, kind, document in candidates(git_dir):
        if document in seen:
            counts["duplicate"] += 1
            continue
        seen.add(document)
        if not NAMED.search(document):
            counts["fragment"] += 1
            continue
        if KUBERNETES.search(document):
            counts["kubernetes"] += 1
            continue
        if ENTERPRISE.search(document):
            counts["enterprise"] += 1
            continue
        blocks.setdefault(block, []).append((source, kind, document))
    with tempfile.TemporaryDirectory() as tree:
        for members in blocks.values():
            results = dry_run(arguments.binary, [(kind, document) for _, kind, document in members], tree)
            for (source, kind, _), (accepted, why) in zip(members, results):
                counts["accepted" if accepted else "rejected"] += 1
                if not accepted:
                    # The reason without the field path's indices, so alike reasons add up.
                    for reason in why or ["rejected"]:
                        reasons[re.sub(r"\[\d+\]", "[]", reason)] += 1
                if not arguments.summary:
                    print(f"{'accepted' if accepted else 'REJECTED'}  {kind:<17} {source}"
                          + ("" if accepted else f"\n    {(why or ['rejected'])[0]}"))
    counted = counts["accepted"] + counts["rejected"]
    print(f"\n{counts['accepted']} of {counted} documents accepted ({100 * counts['accepted'] / max(counted, 1):.1f} %); "
          f"left out: {counts['kubernetes']} Kubernetes-only, {counts['enterprise']} Gloo Enterprise, "
          f"{counts['fragment']} excerpts without a name, {counts['duplicate']} duplicates")
    for reason, count in reasons.most_common(25):
        print(f"  {count:4}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
