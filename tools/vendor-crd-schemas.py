#!/usr/bin/env python3
"""Vendors the JSON schemas of the custom resources helm/emporia renders with monitoring on
(prometheus-operator's ServiceMonitor and PrometheusRule), for tools/helm-check.sh's kubeconform.

Layout: kubeconform's for CRDs (its README, "CustomResourceDefinition (CRD) Support"),
deploy/kubernetes-json-schema/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json, e.g.
monitoring.coreos.com/servicemonitor_v1.json.

Source: the CRD manifests of prometheus-operator RELEASE (example/prometheus-operator-crd/),
checked against the sha256 pinned below, converted as kubeconform's
scripts/openapi2jsonschema.py does with DENY_ROOT_ADDITIONAL_PROPERTIES: each served
version's openAPIV3Schema, `additionalProperties: false` on every object that lists its
properties (the root too), `format: int-or-string` as a oneOf. An object marked
x-kubernetes-preserve-unknown-fields stays open (the API server keeps unknown fields there).
Descriptions and x-kubernetes-* markers are dropped: they validate nothing.

Usage:
  python3 tools/vendor-crd-schemas.py                  download the manifests from GitHub at RELEASE
  python3 tools/vendor-crd-schemas.py --git-dir DIR    read them at tag RELEASE from a clone
                                                       (git clone https://github.com/prometheus-operator/prometheus-operator)
Needs PyYAML (pip install PyYAML; tools/python-tools.sh's .local/python has it).
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import urllib.request

import yaml

RELEASE = "v0.93.0"
CRD_DIR = "example/prometheus-operator-crd"
# The CRDs of the kinds the chart renders, with the sha256 of the manifest at RELEASE.
CRDS = {
    "monitoring.coreos.com_servicemonitors.yaml": "a99047972c9dd7679ce2050b9968e8a08773492e671b3e17abd476d42aa78a32",
    "monitoring.coreos.com_prometheusrules.yaml": "78be98554b9c8506ab2b4f4feb91c5f3a56e536a0a510f3a8e876a459970d56d",
}
URL = "https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/{release}/{path}"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "deploy", "kubernetes-json-schema")


def read_manifest(name, git_dir):
    path = f"{CRD_DIR}/{name}"
    if git_dir:
        data = subprocess.run(
            ["git", "--git-dir", git_dir, "show", f"{RELEASE}:{path}"], check=True, capture_output=True
        ).stdout
    else:
        url = URL.format(release=RELEASE, path=path)
        try:
            with urllib.request.urlopen(url) as res:
                data = res.read()
        except OSError as e:
            sys.exit(f"{url}: {e} (without access to GitHub, give a clone with --git-dir)")
    digest = hashlib.sha256(data).hexdigest()
    if digest != CRDS[name]:
        sys.exit(f"{name} at {RELEASE}: sha256 {digest}, expected {CRDS[name]}")
    return data


def to_json_schema(node):
    """openAPIV3Schema -> a strict JSON schema (kubeconform's openapi2jsonschema.py)."""
    if isinstance(node, list):
        return [to_json_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    if node.get("format") == "int-or-string":
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    out = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: to_json_schema(s) for name, s in value.items()}
        elif key == "description" or key.startswith("x-kubernetes-"):
            continue
        else:
            out[key] = to_json_schema(value)
    if "properties" in node and "additionalProperties" not in node:
        if not node.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--git-dir", help=f"a prometheus-operator git directory holding tag {RELEASE}")
    args = parser.parse_args()
    for name in CRDS:
        crd = yaml.safe_load(read_manifest(name, args.git_dir))
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        os.makedirs(os.path.join(OUT, group), exist_ok=True)
        for version in crd["spec"]["versions"]:
            if not version.get("served"):
                continue
            schema = to_json_schema(version["schema"]["openAPIV3Schema"])
            path = os.path.join(OUT, group, f"{kind.lower()}_{version['name']}.json")
            with open(path, "w") as f:
                json.dump(schema, f, indent=1, sort_keys=True)
                f.write("\n")
            print(f"{os.path.relpath(path, ROOT)} (prometheus-operator {RELEASE})")


if __name__ == "__main__":
    main()
