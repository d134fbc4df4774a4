# What every app needs in the cluster: the namespace, an ingress controller behind the cloud's
# load balancer, and cert-manager issuing the TLS certificates of Trino and Superset.
terraform {
  required_version = ">= 1.9"
  required_providers {
    helm       = { source = "hashicorp/helm", version = ">= 2.17, < 3.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.36, < 3.0" }
  }
}

variable "namespace" {
  description = "Namespace of Peloton's apps (config module: names.namespace)."
  type        = string
}

variable "acme_email" {
  description = "E-mail address Let's Encrypt sends expiry notices to."
  type        = string
}

resource "kubernetes_namespace_v1" "peloton" {
  metadata {
    name = var.namespace
  }
}

resource "helm_release" "ingress_nginx" {
  name             = "ingress-nginx"
  repository       = "https://kubernetes.github.io/ingress-nginx"
  chart            = "ingress-nginx"
  version          = "4.12.1"
  namespace        = "ingress-nginx"
  create_namespace = true
}

resource "helm_release" "cert_manager" {
  name             = "cert-manager"
  repository       = "https://charts.jetstack.io"
  chart            = "cert-manager"
  version          = "v1.17.2"
  namespace        = "cert-manager"
  create_namespace = true
  values           = [yamlencode({ crds = { enabled = true } })]
}

resource "kubernetes_manifest" "issuer" {
  manifest = {
    apiVersion = "cert-manager.io/v1"
    kind       = "ClusterIssuer"
    metadata   = { name = "letsencrypt" }
    spec = {
      acme = {
        server              = "https://acme-v02.api.letsencrypt.org/directory"
        email               = var.acme_email
        privateKeySecretRef = { name = "letsencrypt-account" }
        solvers             = [{ http01 = { ingress = { ingressClassName = "nginx" } } }]
      }
    }
  }
  depends_on = [helm_release.cert_manager]
}

output "namespace" {
  description = "The apps' namespace."
  value       = kubernetes_namespace_v1.peloton.metadata[0].name
}

output "ingress_annotations" {
  description = "Annotations an ingress needs for a certificate from the issuer."
  value       = { "cert-manager.io/cluster-issuer" = "letsencrypt" }
}
