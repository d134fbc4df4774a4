# Variables of both platform roots (linked into each envs/<cloud>/platform/).

variable "extra_secret_settings" {
  description = "Secret settings of flow runs and jobs, kept in the secret store (peloton-extra-settings): PELOTON_LLM__API_KEY and other PELOTON_UPKEEP__*, PELOTON_PRIVACY__*, PELOTON_LLM__*, PELOTON_SHEETS__* variables by name; give it as TF_VAR_extra_secret_settings ('{}' for none)."
  type        = map(string)
  sensitive   = true
  validation {
    condition     = alltrue([for k in keys(var.extra_secret_settings) : can(regex("^PELOTON_(UPKEEP|PRIVACY|LLM|SHEETS)__[A-Z0-9_]+$", k))])
    error_message = "extra_secret_settings keys must be PELOTON_UPKEEP__*, PELOTON_PRIVACY__*, PELOTON_LLM__* or PELOTON_SHEETS__* variables."
  }
}
