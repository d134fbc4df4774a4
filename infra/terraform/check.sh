#!/usr/bin/env bash
# Offline checks of infra/terraform (no provider download, no cloud account):
#   terraform fmt -check; init -backend=false, validate and test of each provider-free module;
#   tflint with its bundled ruleset on every module and root; checkov --skip-download.
# `check.sh tools` only installs the tools, once, in the machine-wide cache
# ($PELOTON_CACHE_DIR/infra, default ~/.cache/peloton/infra): terraform (the machine's, else
# built with `go install`), tflint (built with `go install`), checkov (its own virtualenv:
# its fork of python-hcl2 has the module name of the python-hcl2 the tests use).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tools="${PELOTON_CACHE_DIR:-$HOME/.cache/peloton}/infra"
# the newest terraform whose go.mod builds with `go install` (later ones have replace directives)
TERRAFORM_VERSION=1.7.5
TFLINT_VERSION=0.55.1
CHECKOV_VERSION=3.3.30
GO_TOOLCHAIN=go1.24.4
export CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export PATH="$tools/bin:$PATH"
SUDO=$([[ "$(id -u)" == 0 ]] || echo sudo)

ensure_go() {  # a Go of 1.21 or later (toolchain switching), from apt and the module proxy
    command -v go >/dev/null || {
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq golang-go >/dev/null
    }
    local minor
    minor="$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')"
    if ((minor < 21)); then  # Debian 12's Go 1.19: fetch a toolchain, itself a Go module
        local dir
        dir="$(cd "$(mktemp -d)" && GO111MODULE=on GOFLAGS=-modcacherw go mod download -json \
            "golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-$(go env GOARCH)" |
            sed -nE 's/^\t"Dir": "(.*)",$/\1/p')"
        export PATH="$dir/bin:$PATH"
    fi
}

go_install() {  # module@version, built once into $tools/bin
    ensure_go
    echo "infra check: building $1 with go install (cached in $tools/bin)" >&2
    GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "$1"
}

install_tools() {
    mkdir -p "$tools/bin"
    command -v terraform >/dev/null ||
        go_install "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
    [[ "$(tflint --version 2>/dev/null | head -1)" == *"$TFLINT_VERSION"* ]] ||
        go_install "github.com/terraform-linters/tflint@v$TFLINT_VERSION"
    [[ -x "$tools/checkov/bin/checkov" ]] || {
        echo "infra check: installing checkov $CHECKOV_VERSION in $tools/checkov" >&2
        python3 -m venv "$tools/checkov"
        "$tools/checkov/bin/pip" install --quiet "checkov==$CHECKOV_VERSION"
    }
}

install_tools
[[ "${1:-}" == tools ]] && exit 0

cd "$here"
start=$SECONDS
echo "terraform fmt -check -recursive"
terraform fmt -check -recursive

# a provider-free module declares no provider: terraform can init, validate and test it here
for module in modules/*/; do
    grep -q required_providers "$module"*.tf && continue
    echo "terraform init/validate/test: $module"
    (cd "$module" && terraform init -backend=false -input=false >/dev/null &&
        terraform validate -no-color && terraform test -no-color)
done

echo "tflint (bundled ruleset) on every module and root"
for dir in modules/*/ envs/*/*/; do
    tflint --chdir="$dir" --config="$here/.tflint.hcl" --format=compact
done

echo "checkov --skip-download"
CKV_SKIP_PACKAGE_UPDATE_CHECK=true "$tools/checkov/bin/checkov" -d . \
    --framework terraform --skip-download --quiet --compact
echo "infra check: passed in $((SECONDS - start)) s"
