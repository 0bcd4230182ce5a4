# A sample HTTP service for the walk-through: registered in Consul as "web" with an HTTP check,
# so gloo-hashi discovers it and the Upstream gloo-system/web (examples/consul-kv) gets its
# instances as endpoints.
#   nomad job run nomad/demo.nomad.hcl

variable "datacenters" {
  type    = list(string)
  default = ["dc1"]
}

variable "count" {
  type    = number
  default = 2
}

job "demo-web" {
  datacenters = var.datacenters
  type        = "service"

  group "web" {
    count = var.count

    network {
      port "http" {
        to = 5678
      }
    }

    service {
      name     = "web"
      port     = "http"
      provider = "consul"
      tags     = ["demo", "v1"]

      check {
        name     = "http"
        type     = "http"
        path     = "/"
        interval = "5s"
        timeout  = "2s"
      }
    }

    task "web" {
      driver = "docker"

      config {
        image = "hashicorp/http-echo:1.0"
        ports = ["http"]
        args  = ["-listen", ":5678", "-text", "hello from ${NOMAD_ALLOC_ID}"]
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
