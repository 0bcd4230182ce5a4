# The gloo-hashi image: a Swift build stage, then a slim runtime with the one static binary.
#   docker build -t gloo-hashi .
# Not built by this repository's CI (no container runtime there); kept deliberately simple.
FROM swift:6.3-noble AS build
WORKDIR /src
# SwiftPM checks every target's directory when it loads the package, so the whole tree is copied
# (.dockerignore leaves out build output and virtualenvs).
COPY . .
RUN swift build -c release --static-swift-stdlib --product gloo-hashi \
    && cp "$(swift build -c release --show-bin-path)/gloo-hashi" /gloo-hashi

FROM ubuntu:24.04
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /gloo-hashi /usr/local/bin/gloo-hashi
# xDS and the admin API (the Nomad job passes its own ports).
EXPOSE 9977 9091
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/gloo-hashi"]
CMD ["run", "--help"]
