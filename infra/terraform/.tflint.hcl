# tflint with its bundled Terraform ruleset (no plugin download): make infra-check
plugin "terraform" {
  enabled = true
  preset  = "recommended"
}
