#!/usr/bin/env python3
"""Vendors the Kubernetes JSON schemas that tools/helm-check.sh validates the chart against.

kubeconform cannot download schemas here (only package registries are reachable), so the
project keeps the few it needs in deploy/kubernetes-json-schema/, in kubeconform's
"standalone-strict" layout: <kind>[-<group>]-<version>.json, every $ref inlined,
additionalProperties false.

Source: the PyPI package kubernetes-validate (Apache-2.0), which ships the Kubernetes
OpenAPI definitions converted to JSON schema ("local-strict": one _definitions.json plus a
file per kind that $refs into it). This script downloads the pinned wheel with pip, checks
its sha256, inlines the $refs of the kinds the chart renders and drops descriptions (they do
not validate anything and are most of the size).

Usage: python3 tools/vendor-k8s-schemas.py      (rewrites deploy/kubernetes-json-schema/)
"""
import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "kubernetes-validate==1.37.0"
WHEEL = "kubernetes_validate-1.37.0-py3-none-any.whl"
WHEEL_SHA256 = "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
K8S_VERSION = "v1.30.0"
# Every kind helm/emporia renders (tools/helm-check.sh fails on a kind without a schema).
KINDS = [
    "configmap-v1",
    "deployment-apps-v1",
    "horizontalpodautoscaler-autoscaling-v2",
    "ingress-networking-v1",
    "job-batch-v1",
    "networkpolicy-networking-v1",
    "pod-v1",
    "poddisruptionbudget-policy-v1",
    "secret-v1",
    "service-v1",
    "serviceaccount-v1",
]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "deploy", "kubernetes-json-schema", f"{K8S_VERSION}-standalone-strict")
PREFIX = f"kubernetes_validate/kubernetes-json-schema/{K8S_VERSION}-local-strict/"


def inline(node, defs, stack):
    """Returns node with every $ref replaced by its definition; fails on a cycle."""
    if isinstance(node, list):
        return [inline(x, defs, stack) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        name = ref.split("#/$defs/", 1)[1]
        if name in stack:
            sys.exit(f"recursive definition {name}: cannot be inlined")
        target = inline(copy.deepcopy(defs[name]), defs, stack | {name})
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {**target, **inline(rest, defs, stack)}
    out = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {p: inline(s, defs, stack) for p, s in value.items()}
        elif key in ("description", "$id") and isinstance(value, str):
            continue
        elif key.startswith("x-kubernetes-"):
            continue
        else:
            out[key] = inline(value, defs, stack)
    return out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, PACKAGE],
            check=True,
        )
        wheel = os.path.join(tmp, WHEEL)
        digest = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
        if digest != WHEEL_SHA256:
            sys.exit(f"{WHEEL}: sha256 {digest}, expected {WHEEL_SHA256}")
        with zipfile.ZipFile(wheel) as z:
            defs = json.loads(z.read(PREFIX + "_definitions.json"))["$defs"]
            schemas = {k: json.loads(z.read(f"{PREFIX}{k}.json")) for k in KINDS}
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    for kind, schema in schemas.items():
        standalone = inline(schema, defs, frozenset())
        with open(os.path.join(OUT, f"{kind}.json"), "w") as f:
            json.dump(standalone, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"{os.path.relpath(OUT, ROOT)}/{kind}.json")


if __name__ == "__main__":
    main()
