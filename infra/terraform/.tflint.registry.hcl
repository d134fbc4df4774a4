# tflint with the AWS and Google rulesets (instance types, database classes, regions, ...): the
# plugins are downloaded from their GitHub releases by `tflint --init`, so this needs network.
#   cd infra/terraform
#   tflint --init --config="$PWD/.tflint.registry.hcl"
#   for dir in modules/*/ envs/*/*/; do tflint --chdir="$dir" --config="$PWD/.tflint.registry.hcl"; done
# A ruleset inspects only its provider's resources, so one config serves both clouds.
# make infra-check uses .tflint.hcl instead: the bundled Terraform ruleset alone, offline.
plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

plugin "aws" {
  enabled = true
  version = "0.42.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
}

plugin "google" {
  enabled = true
  version = "0.35.0"
  source  = "github.com/terraform-linters/tflint-ruleset-google"
}
