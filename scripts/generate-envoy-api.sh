#!/usr/bin/env bash
# Regenerates Sources/EnvoyAPI/Generated from the official Envoy descriptors in the pinned PyPI
# package xds-protos. The output is committed; a normal build never runs this.
#
# Needs: python3, Debian's protobuf-compiler (installed if missing, as root), and the
# protoc-gen-swift / protoc-gen-grpc-swift-2 plugins, built here from the mirrored
# grpc-swift-protobuf (release build, a few minutes the first time).
set -euo pipefail
cd "$(dirname "$0")/.."

XDS_PROTOS_VERSION=1.85.0
GRPC_SWIFT_PROTOBUF_VERSION=2.4.1
work=.build-protoc-plugins
out=Sources/EnvoyAPI/Generated

if ! command -v protoc >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq protobuf-compiler
fi

if [ ! -x .venv-xds/bin/python ]; then
  python3 -m venv .venv-xds
fi
.venv-xds/bin/pip install -q "xds-protos==${XDS_PROTOS_VERSION}" "protobuf<7"

mkdir -p "$work"
if [ ! -d "$work/src" ]; then
  git clone -q --branch "$GRPC_SWIFT_PROTOBUF_VERSION" https://github.com/grpc/grpc-swift-protobuf "$work/src"
fi
(cd "$work/src" && swift build -c release --product protoc-gen-grpc-swift-2 && swift build -c release --product protoc-gen-swift)
bin=$(cd "$work/src" && swift build -c release --show-bin-path)

descriptors="$work/envoy.pb"
files=$(.venv-xds/bin/python scripts/dump_envoy_descriptors.py "$descriptors" scripts/envoy-api-roots.txt | grep -v '^google/protobuf/')

rm -rf "$out"
mkdir -p "$out"
# shellcheck disable=SC2086
protoc --descriptor_set_in="$descriptors" \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --swift_out="$out" --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  $files
protoc --descriptor_set_in="$descriptors" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Public --grpc-swift_opt=FileNaming=PathToUnderscores \
  --grpc-swift_opt=Server=true --grpc-swift_opt=Client=true \
  envoy/service/discovery/v3/ads.proto
echo "generated $(ls "$out" | wc -l) files, $(cat "$out"/*.swift | wc -l) lines into $out"
