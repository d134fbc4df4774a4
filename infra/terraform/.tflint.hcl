# tflint with its bundled Terraform ruleset (no plugin download): make infra-check. The AWS and
# Google rulesets need a download: .tflint.registry.hcl.
plugin "terraform" {
  enabled = true
  preset  = "recommended"
}
