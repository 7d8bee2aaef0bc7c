#!/usr/bin/env bash
# Regenerates the cdk8s imports (imports/k8s.ts, imports/operations.kubeedge.io.ts) and the
# OpenAPI fixture of the render tests from the real sources of the versions named in
# src/testbed/versions.json, fetched through the Go module proxy:
#   k8s.io/kubernetes@<kubernetes>        api/openapi-spec/swagger.json
#   github.com/kubeedge/kubeedge@<kubeedge> build/crds/operations/operations_v1alpha2_imageprepulljob.yaml
# Usage: npm run import:types
set -euo pipefail
cd "$(dirname "$0")/.."

k8s_version=$(node -p "require('./src/testbed/versions.json').kubernetes")
kubeedge_version=$(node -p "require('./src/testbed/versions.json').kubeedge")

module_dir() {
  # `go mod download` outside a module only needs the proxy; it prints where the module is.
  (cd "$(mktemp -d)" && go mod download -json "$1") | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);if(m.Error){console.error(m.Error);process.exit(1)}console.log(m.Dir)})'
}

k8s_dir=$(module_dir "k8s.io/kubernetes@${k8s_version}")
kubeedge_dir=$(module_dir "github.com/kubeedge/kubeedge@${kubeedge_version}")
swagger="${k8s_dir}/api/openapi-spec/swagger.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p imports/crds
install -m 0644 "${kubeedge_dir}/build/crds/operations/operations_v1alpha2_imageprepulljob.yaml" imports/crds/
node --import tsx scripts/import-types.ts cdk8s-definitions "$swagger" "$work/_definitions.json"

rm -f imports/k8s.ts imports/operations.kubeedge.io.ts
cdk8s_import() {
  ESSG_K8S_DEFINITIONS="$work/_definitions.json" NODE_OPTIONS="--import ${PWD}/scripts/import-types.preload.mjs" \
    npx --no-install cdk8s import --no-check-upgrade --no-save --language typescript --output imports "$1"
}
cdk8s_import "k8s@${k8s_version#v}"
cdk8s_import imports/crds/operations_v1alpha2_imageprepulljob.yaml

node --import tsx scripts/import-types.ts openapi-fixture "$swagger" test/unit/render/fixtures/k8s-openapi-definitions.json \
  io.k8s.api.core.v1.Namespace io.k8s.api.core.v1.ConfigMap io.k8s.api.apps.v1.Deployment \
  io.k8s.api.batch.v1.Job io.k8s.api.batch.v1.CronJob
cat > cdk8s.yaml <<YAML
# cdk8s imports of essg-fleet, written by \`npm run import:types\` (scripts/import-types.sh), which
# reads the versions from src/testbed/versions.json, fetches the sources through the Go module
# proxy and runs \`cdk8s import\` on local files only: k8s@<version> is served from the
# k8s.io/kubernetes module's api/openapi-spec/swagger.json, never downloaded from the internet.
language: typescript
imports:
  - k8s@${k8s_version#v}
  - imports/crds/operations_v1alpha2_imageprepulljob.yaml
YAML
echo "imported Kubernetes ${k8s_version} and KubeEdge ${kubeedge_version} types into imports/"
