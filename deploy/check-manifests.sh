#!/usr/bin/env bash
# Offline schema check of deploy/*.yaml (no API server): YAML syntax (python3-yaml), then every
# object against the Kubernetes API types of the npm package kubernetes-models: its JSON-schema
# validators (types, required fields) and a `tsc --strict` compile of the objects as typed
# literals, whose excess-property check catches unknown or misspelt fields.
# Tools go to build/manifest-check/ (npm). Usage: deploy/check-manifests.sh
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$repo_root/build/manifest-check
mkdir -p "$work"
cd "$work"
[[ -f package.json ]] || echo '{"private": true, "type": "module"}' >package.json
[[ -d node_modules/kubernetes-models && -d node_modules/typescript && -d node_modules/js-yaml ]] ||
	npm install --no-audit --no-fund --silent kubernetes-models@5.1.0 js-yaml@4 typescript@5
python3 - "$repo_root/deploy" <<'PY'
import glob, json, sys, yaml
types = {
    "v1/ConfigMap": ("IConfigMap", "kubernetes-models/v1/ConfigMap"),
    "v1/Namespace": ("INamespace", "kubernetes-models/v1/Namespace"),
    "v1/Service": ("IService", "kubernetes-models/v1/Service"),
    "v1/ServiceAccount": ("IServiceAccount", "kubernetes-models/v1/ServiceAccount"),
    "apps/v1/DaemonSet": ("IDaemonSet", "kubernetes-models/apps/v1/DaemonSet"),
    "apps/v1/Deployment": ("IDeployment", "kubernetes-models/apps/v1/Deployment"),
    "rbac.authorization.k8s.io/v1/ClusterRole": ("IClusterRole", "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole"),
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ("IClusterRoleBinding", "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding"),
}
imports, objects, checks = set(), [], []
for path in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    for doc in yaml.safe_load_all(open(path)):  # raises on a YAML syntax error
        if not doc:
            continue
        key = f"{doc['apiVersion']}/{doc['kind']}"
        if key not in types:
            sys.exit(f"check-manifests: {path}: no type for {key}; add it to check-manifests.sh")
        name, module = types[key]
        imports.add((name, module))
        n = len(objects)
        label = json.dumps(f"{path.rsplit('/', 1)[1]}: {doc['kind']} {doc['metadata']['name']}")
        objects.append(f"// {label}\nexport const o{n}: {name} = {json.dumps(doc, indent=1)};")
        checks.append(f"check({label}, {name[1:]}, o{n});")
head = "\n".join(f'import {{ {n[1:]}, type {n} }} from "{m}";' for n, m in sorted(imports))
body = """
declare const process: { exit(code: number): never };
let bad = 0;
function check(label: string, Model: any, o: object) {
  try { new Model(o).validate(); console.log(`${label}: valid`); }
  catch (e) { bad++; console.log(`${label}: INVALID ${(e as Error).message}`); }
}
"""
open("manifests.mts", "w").write(head + "\n" + "\n".join(objects) + body + "\n".join(checks) + "\nprocess.exit(bad ? 1 : 0);\n")
PY
rm -f manifests.mjs
npx tsc --strict --skipLibCheck --noEmitOnError --module node16 --moduleResolution node16 --target es2020 manifests.mts
node manifests.mjs
