terraform {
  # Arithmetic only, no provider: `terraform init` and `plan` work offline, which is how the
  # tests evaluate these very expressions.
  required_version = ">= 1.5.7"
}
