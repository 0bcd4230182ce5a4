# The gloo-hashi controller: serves xDS to the gateway proxies, reads Gloo resources from Consul
# KV, certificates from Vault, and (with the discovery group) writes discovered Upstreams.
#   nomad job run nomad/gloo-hashi.nomad.hcl
#   nomad job run -var count=3 -var discovery=true nomad/gloo-hashi.nomad.hcl

variable "datacenters" {
  type        = list(string)
  default     = ["dc1"]
  description = "Datacenters the controller may run in."
}

variable "image" {
  type        = string
  default     = "ghcr.io/gloo-hashi/gloo-hashi:latest"
  description = "The gloo-hashi image (see Dockerfile)."
}

variable "count" {
  type        = number
  default     = 2
  description = "Controller replicas. Every replica serves xDS; leader election picks the one that writes statuses."
}

variable "namespace" {
  type        = string
  default     = "gloo-system"
  description = "Gloo's namespace: the Settings' namespace, the discovery namespace and the status reporter."
}

variable "consul_address" {
  type        = string
  default     = ""
  description = "The Consul agent; empty means the agent on the allocation's host (port 8500)."
}

variable "vault_address" {
  type        = string
  default     = "https://vault.service.consul:8200"
  description = "Vault, for TLS Secrets and Vault PKI certificates."
}

variable "vault_role" {
  type        = string
  default     = "gloo-hashi"
  description = "Vault role for workload identity (JWT auth, set up with 'nomad setup vault')."
}

variable "vault_policies" {
  type        = list(string)
  default     = []
  description = "The legacy Vault token workflow (Nomad before 1.10): policies instead of a role. Leave empty for workload identity."
}

variable "discovery" {
  type        = bool
  default     = false
  description = "Run 'gloo-hashi discovery' (Gloo's split deployment: discovered Upstreams written to Consul KV)."
}

variable "log_level" {
  type    = string
  default = "info"
}

job "gloo-hashi" {
  datacenters = var.datacenters
  type        = "service"

  # A control plane: one replica at a time, back to the last good version when a new one is not healthy.
  update {
    max_parallel      = 1
    min_healthy_time  = "10s"
    healthy_deadline  = "3m"
    progress_deadline = "10m"
    health_check      = "checks"
    auto_revert       = true
    stagger           = "30s"
  }

  group "gloo" {
    count = var.count

    # Replicas on different hosts: one host going away leaves the others serving.
    constraint {
      operator = "distinct_hosts"
      value    = "true"
    }

    network {
      # Dynamic ports: two allocations never collide, and Consul tells the proxies where xDS is.
      port "xds" {}
      port "admin" {}
    }

    restart {
      attempts = 10
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    service {
      name     = "gloo-xds"
      port     = "xds"
      provider = "consul"
      tags     = ["gloo-hashi", "xds"]

      check {
        name     = "xds-tcp"
        type     = "tcp"
        interval = "5s"
        timeout  = "2s"
      }
    }

    service {
      name     = "gloo-hashi-admin"
      port     = "admin"
      provider = "consul"
      tags     = ["gloo-hashi", "admin"]

      check {
        name     = "readyz"
        type     = "http"
        path     = "/readyz"
        interval = "5s"
        timeout  = "2s"
      }
    }

    task "gloo-hashi" {
      driver = "docker"

      config {
        image = var.image
        ports = ["xds", "admin"]
        args = [
          "run",
          "--settings", "${NOMAD_TASK_DIR}/settings.yaml",
          "--namespace", var.namespace,
          "--xds-address", "0.0.0.0:${NOMAD_PORT_xds}",
          "--admin-address", "${NOMAD_IP_admin}:${NOMAD_PORT_admin}",
          "--vault-token-file", "${NOMAD_SECRETS_DIR}/vault_token",
          "--log-format", "json",
          "--log-level", var.log_level,
        ]
      }

      # Workload identity by default; the legacy policies when vault_policies is set. Nomad
      # renews the token and rewrites secrets/vault_token; gloo-hashi re-reads it (no restart).
      vault {
        role        = length(var.vault_policies) == 0 ? var.vault_role : null
        policies    = length(var.vault_policies) > 0 ? var.vault_policies : null
        change_mode = "noop"
      }

      # Gloo's Settings: Consul KV as the configuration source, Vault as the secret source.
      template {
        destination = "local/settings.yaml"
        change_mode = "restart"
        data        = <<-SETTINGS
          metadata:
            name: default
            namespace: ${var.namespace}
          discoveryNamespace: ${var.namespace}
          gloo:
            xdsBindAddr: 0.0.0.0:{{ env "NOMAD_PORT_xds" }}
          consulKvSource:
            rootKey: gloo
          consul:
            address: {{ if ne "${var.consul_address}" "" }}${var.consul_address}{{ else }}{{ env "attr.unique.network.ip-address" }}:8500{{ end }}
            serviceDiscovery: {}
          vaultSecretSource:
            address: ${var.vault_address}
            pathPrefix: secret
            rootKey: gloo
          SETTINGS
      }

      resources {
        cpu    = 500
        memory = 512
      }

      # SIGTERM starts the graceful shutdown (watches stop, xDS streams end, Envoys keep their
      # configuration); it takes at most 15 s.
      kill_signal  = "SIGTERM"
      kill_timeout = "20s"
    }
  }

  group "discovery" {
    count = var.discovery ? 1 : 0

    restart {
      attempts = 10
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    task "discovery" {
      driver = "docker"

      config {
        image = var.image
        args = [
          "discovery",
          "--settings", "${NOMAD_TASK_DIR}/settings.yaml",
          "--namespace", var.namespace,
          "--log-format", "json",
          "--log-level", var.log_level,
        ]
      }

      template {
        destination = "local/settings.yaml"
        change_mode = "restart"
        data        = <<-SETTINGS
          metadata:
            name: default
            namespace: ${var.namespace}
          discoveryNamespace: ${var.namespace}
          consulKvSource:
            rootKey: gloo
          consul:
            address: {{ if ne "${var.consul_address}" "" }}${var.consul_address}{{ else }}{{ env "attr.unique.network.ip-address" }}:8500{{ end }}
            serviceDiscovery: {}
          SETTINGS
      }

      resources {
        cpu    = 200
        memory = 256
      }

      kill_timeout = "20s"
    }
  }
}
