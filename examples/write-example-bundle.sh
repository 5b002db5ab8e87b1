#!/usr/bin/env bash
# Re-signs the example app bundle the way a platform team would: a fresh Ed25519 key, the
# starter plan from examples/platform, `mozaiks bundle write`. The private key lives only in a
# temporary folder and is discarded; the public JWKS goes to examples/platform/jwks.json, which
# the runtime is configured with (it never trusts keys shipped inside the bundle it verifies).
# Usage (from the repository root, after `pnpm build`): examples/write-example-bundle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
mozaiks() { node apps/platform/dist/cli.js "$@"; }
kid="example-$(date -u +%Y%m%d)"
mozaiks plans validate -c examples/platform
mozaiks keys generate --out "$keys" --kid "$kid"
mozaiks bundle write examples/app --app example-app --plan starter -c examples/platform \
  --key "$keys/$kid.private.jwk.json" --ttl 3650d
cp "$keys/jwks.json" examples/platform/jwks.json
rm -f examples/app/jwks.json
mozaiks manifest verify examples/app/entitlement_manifest.json --jwks examples/platform/jwks.json
mozaiks manifest verify examples/app/plan_catalog.json --jwks examples/platform/jwks.json
