# The gateway proxies: Envoy (the official image) configured entirely by gloo-hashi over xDS.
# Each proxy joins the group <namespace>~<proxy name>; Gateways with that proxy name (Gloo's
# proxyNames, default gateway-proxy) become its listeners.
#   nomad job run nomad/gateway-proxy.nomad.hcl
#   nomad job run -var xds_api_type=GRPC -var count=3 nomad/gateway-proxy.nomad.hcl

variable "datacenters" {
  type    = list(string)
  default = ["dc1"]
}

variable "envoy_image" {
  type        = string
  default     = "envoyproxy/envoy:v1.40-latest"
  description = "Envoy's official image."
}

variable "count" {
  type    = number
  default = 2
}

variable "namespace" {
  type        = string
  default     = "gloo-system"
  description = "The namespace of the Gateways this proxy serves (node.metadata.role = <namespace>~<proxy_name>)."
}

variable "proxy_name" {
  type    = string
  default = "gateway-proxy"
}

variable "xds_api_type" {
  type        = string
  default     = "DELTA_GRPC"
  description = "DELTA_GRPC (incremental: a cluster change costs ~2 ms at 10,000 clusters, ~110 ms with GRPC) or GRPC."
}

variable "xds_tls" {
  type        = bool
  default     = false
  description = "Connect to gloo-hashi's xDS server over TLS (gloo-hashi run --xds-tls-cert/--xds-tls-key), verified with xds_ca_pem."
}

variable "xds_ca_pem" {
  type        = string
  default     = ""
  description = "The CA that signed gloo-hashi's xDS certificate (PEM), when xds_tls is true."
}

variable "http_port" {
  type    = number
  default = 8080
}

variable "https_port" {
  type    = number
  default = 8443
}

variable "stats_port" {
  type        = number
  default     = 8081
  description = "Readiness (/ready) and Prometheus stats (/stats/prometheus), like Gloo's 8081; the admin API itself stays on 127.0.0.1:19000."
}

variable "drain_seconds" {
  type    = number
  default = 15
}

job "gateway-proxy" {
  datacenters = var.datacenters
  type        = "service"

  update {
    max_parallel     = 1
    min_healthy_time = "10s"
    healthy_deadline = "3m"
    health_check     = "checks"
    auto_revert      = true
  }

  group "gateway-proxy" {
    count = var.count

    # The gateway ports are the Gateways' bindPorts on the host: one proxy per host.
    constraint {
      operator = "distinct_hosts"
      value    = "true"
    }

    network {
      mode = "host"
      port "http" {
        static = var.http_port
      }
      port "https" {
        static = var.https_port
      }
      port "stats" {
        static = var.stats_port
      }
    }

    service {
      name     = "gateway-proxy-http"
      port     = "http"
      provider = "consul"
      tags     = ["gloo-hashi", "http"]

      check {
        name     = "envoy-ready"
        type     = "http"
        port     = "stats"
        path     = "/ready"
        interval = "5s"
        timeout  = "2s"
      }
    }

    service {
      name     = "gateway-proxy-https"
      port     = "https"
      provider = "consul"
      tags     = ["gloo-hashi", "https"]

      check {
        name     = "envoy-ready"
        type     = "http"
        port     = "stats"
        path     = "/ready"
        interval = "5s"
        timeout  = "2s"
      }
    }

    service {
      name     = "gateway-proxy-stats"
      port     = "stats"
      provider = "consul"
      tags     = ["gloo-hashi", "metrics"]

      check {
        name     = "envoy-ready"
        type     = "http"
        path     = "/ready"
        interval = "5s"
        timeout  = "2s"
      }
    }

    task "envoy" {
      driver = "docker"

      config {
        image        = var.envoy_image
        network_mode = "host"
        args = [
          "-c", "${NOMAD_TASK_DIR}/envoy.yaml",
          "--drain-time-s", "${var.drain_seconds}",
          "--drain-strategy", "gradual",
          "--log-level", "info",
        ]
      }

      env {
        XDS_TLS = var.xds_tls ? "true" : "false"
      }

      # The bootstrap: node identity and role, a static HTTP/2 cluster for the xDS servers
      # (every healthy gloo-xds instance in Consul when the proxy starts), ADS for everything
      # else, the admin API on loopback only (never registered: /quitquitquit must not be
      # reachable), and the ready/stats listener. A change of the gloo-xds instances does not
      # restart a running proxy (that would drop its connections): it keeps its xDS stream, falls
      # back to the other rendered instances, and serves its last configuration meanwhile.
      template {
        destination = "local/envoy.yaml"
        change_mode = "noop"
        data          = <<-BOOTSTRAP
          node:
            id: gateway~{{ env "NOMAD_ALLOC_ID" }}
            cluster: gateway
            metadata:
              role: ${var.namespace}~${var.proxy_name}
          admin:
            address:
              socket_address: {address: 127.0.0.1, port_value: 19000}
          # No stats sinks: stats are flushed when /stats/prometheus is scraped, not on a 5 s
          # timer. At 10,000 clusters a periodic flush holds Envoy's main thread (and with it
          # xDS updates) for hundreds of milliseconds (BENCHMARKS.md, issue 8).
          stats_flush_on_admin: true
          layered_runtime:
            layers:
            - name: static
              static_layer:
                overload.global_downstream_max_connections: 50000
          static_resources:
            clusters:
            - name: xds_cluster
              type: STATIC
              connect_timeout: 5s
              typed_extension_protocol_options:
                envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                  "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                  explicit_http_config:
                    http2_protocol_options:
                      connection_keepalive: {interval: 30s, timeout: 5s}
              load_assignment:
                cluster_name: xds_cluster
                endpoints:
                - lb_endpoints:{{ range service "gloo-xds" }}
                  - endpoint:
                      address:
                        socket_address: {address: {{ .Address }}, port_value: {{ .Port }}}{{ end }}
          {{ if eq (env "XDS_TLS") "true" }}
              transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                  common_tls_context:
                    alpn_protocols: [h2]
                    validation_context:
                      trusted_ca: {filename: /local/xds-ca.pem}
          {{ end }}
            - name: admin_port_cluster
              type: STATIC
              connect_timeout: 1s
              load_assignment:
                cluster_name: admin_port_cluster
                endpoints:
                - lb_endpoints:
                  - endpoint:
                      address:
                        socket_address: {address: 127.0.0.1, port_value: 19000}
            listeners:
            - name: ready_and_stats
              address:
                socket_address: {address: 0.0.0.0, port_value: ${var.stats_port}}
              filter_chains:
              - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: ready_and_stats
                    route_config:
                      virtual_hosts:
                      - name: ready_and_stats
                        domains: ["*"]
                        routes:
                        - match: {path: /ready}
                          route: {cluster: admin_port_cluster}
                        - match: {prefix: /stats/prometheus}
                          route: {cluster: admin_port_cluster}
                    http_filters:
                    - name: envoy.filters.http.router
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          dynamic_resources:
            ads_config:
              api_type: ${var.xds_api_type}
              transport_api_version: V3
              grpc_services:
              - envoy_grpc: {cluster_name: xds_cluster}
            cds_config: {ads: {}, resource_api_version: V3}
            lds_config: {ads: {}, resource_api_version: V3}
          BOOTSTRAP
      }

      template {
        destination = "local/xds-ca.pem"
        change_mode = "restart"
        data        = var.xds_ca_pem == "" ? "# xds_tls is off: no CA\n" : var.xds_ca_pem
      }

      resources {
        cpu    = 1000
        memory = 512
      }

      # Draining: the services leave Consul first (load balancers stop sending new connections),
      # then Envoy gets SIGTERM after shutdown_delay; kill_timeout bounds the rest.
      shutdown_delay = "${var.drain_seconds}s"
      kill_signal    = "SIGTERM"
      kill_timeout   = "30s"
    }
  }
}
