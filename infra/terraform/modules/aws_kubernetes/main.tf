# An EKS cluster with one managed node group (spot in the small profile) in the private subnets.
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.80, < 6.0" }
  }
}

variable "name" {
  description = "Cluster name (config module: names.cluster)."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes version of the control plane."
  type        = string
  default     = "1.33"
}

variable "subnet_ids" {
  description = "Private subnets of the nodes."
  type        = list(string)
}

variable "admin_cidrs" {
  description = "CIDRs allowed to reach the API server's public endpoint (the operators')."
  type        = list(string)
  validation {
    condition     = length(var.admin_cidrs) > 0 && !contains(var.admin_cidrs, "0.0.0.0/0")
    error_message = "admin_cidrs must name the operators' networks, not 0.0.0.0/0."
  }
}

variable "node_type" {
  description = "Instance type of the nodes (config module: size.aws_node_type)."
  type        = string
}

variable "nodes_min" {
  description = "Fewest nodes."
  type        = number
}

variable "nodes_max" {
  description = "Most nodes."
  type        = number
}

variable "spot" {
  description = "Spot instances (cheaper, may be reclaimed)."
  type        = bool
}

resource "aws_kms_key" "cluster" {
  # checkov:skip=CKV2_AWS_64:the default key policy: the account owns the key and its IAM policies grant its use
  description         = "${var.name} Kubernetes secrets"
  enable_key_rotation = true
}

resource "aws_iam_role" "cluster" {
  name = "${var.name}-cluster"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "eks.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_eks_cluster" "this" {
  # checkov:skip=CKV_AWS_39:the apps state is applied from the operators' machines: the public endpoint is open to admin_cidrs only
  # checkov:skip=CKV_AWS_38:public_access_cidrs is admin_cidrs, which refuses 0.0.0.0/0 (validation above)
  name     = var.name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn
  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = var.admin_cidrs
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.cluster.arn
    }
  }
  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = true
  }
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  depends_on                = [aws_iam_role_policy_attachment.cluster]
}

resource "aws_iam_role" "nodes" {
  name = "${var.name}-nodes"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "nodes" {
  for_each = toset([
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  ])
  role       = aws_iam_role.nodes.name
  policy_arn = each.value
}

resource "aws_eks_node_group" "this" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.name}-nodes"
  node_role_arn   = aws_iam_role.nodes.arn
  subnet_ids      = var.subnet_ids
  instance_types  = [var.node_type]
  capacity_type   = var.spot ? "SPOT" : "ON_DEMAND"
  disk_size       = 50
  scaling_config {
    min_size     = var.nodes_min
    desired_size = var.nodes_min
    max_size     = var.nodes_max
  }
  update_config {
    max_unavailable = 1
  }
  depends_on = [aws_iam_role_policy_attachment.nodes]
}

output "cluster_name" {
  description = "The cluster's name."
  value       = aws_eks_cluster.this.name
}

output "endpoint" {
  description = "The API server's URL."
  value       = aws_eks_cluster.this.endpoint
}

output "ca_certificate" {
  description = "The cluster's CA certificate (base64)."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}
