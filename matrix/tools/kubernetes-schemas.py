"""Offline schemas for kubeconform.

  kubernetes-schemas.py kubernetes <version> <out-dir>
      The strict and non-strict Kubernetes schemas shipped in the PyPI package
      kubernetes-validate (run with the Python that has it installed), made
      usable offline: "$id" is dropped and "/api/_definitions.json#..." refs
      become file-relative "_definitions.json#...". Writes
      <out-dir>/v<version>-local{,-strict}/<kind>-<group>-<version>.json.

  kubernetes-schemas.py crds <out-dir> <crd.yaml>...
      One schema per CustomResourceDefinition version, from its
      openAPIV3Schema, at <out-dir>/<group>/<kind>_<version>.json (kubeconform's
      "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"), strict the
      way openapi2jsonschema --strict makes them: every object schema that
      lists properties gets additionalProperties: false unless it sets
      additionalProperties itself or preserves unknown fields
      (x-kubernetes-preserve-unknown-fields), the root included.
"""
import json
import pathlib
import sys

import yaml


def kubernetes(version: str, out: pathlib.Path) -> None:
    import kubernetes_validate

    source_root = pathlib.Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"

    def fix(value):
        if isinstance(value, dict):
            value.pop("$id", None)
            return {
                key: (item.replace("/api/_definitions.json", "_definitions.json") if key == "$ref" and isinstance(item, str) else fix(item))
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [fix(item) for item in value]
        return value

    for variant in ("local", "local-strict"):
        source = source_root / f"v{version}-{variant}"
        if not source.is_dir():
            sys.exit(f"kubernetes-validate has no schemas for Kubernetes {version} ({source})")
        target = out / f"v{version}-{variant}"
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.glob("*.json")):
            (target / path.name).write_text(json.dumps(fix(json.loads(path.read_text()))))
    print(f"kubernetes {version}: {len(list((out / f'v{version}-local-strict').glob('*.json')))} schemas", file=sys.stderr)


SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_VALUES = ("items", "additionalProperties", "not", "additionalItems", "contains")


def strict(schema):
    """additionalProperties: false on every object schema with properties, walking schema keywords only."""
    if not isinstance(schema, dict):
        return schema
    if "properties" in schema and "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        schema["additionalProperties"] = False
    for keyword in SCHEMA_MAPS:
        for child in (schema.get(keyword) or {}).values():
            strict(child)
    for keyword in SCHEMA_LISTS:
        for child in schema.get(keyword) or []:
            strict(child)
    for keyword in SCHEMA_VALUES:
        child = schema.get(keyword)
        if isinstance(child, list):
            for item in child:
                strict(item)
        else:
            strict(child)
    return schema


def crds(out: pathlib.Path, files: list[str]) -> None:
    written = []
    for file in files:
        for document in yaml.safe_load_all(pathlib.Path(file).read_text()):
            if not isinstance(document, dict) or document.get("kind") != "CustomResourceDefinition":
                continue
            spec = document["spec"]
            group, kind = spec["group"], spec["names"]["kind"]
            for version in spec.get("versions") or []:
                schema = (version.get("schema") or {}).get("openAPIV3Schema")
                if schema is None:
                    continue
                schema = strict(json.loads(json.dumps(schema)))
                target = out / group / f"{kind.lower()}_{version['name']}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(schema, indent=1))
                written.append(f"{group}/{target.name}")
    if not written:
        sys.exit(f"no CustomResourceDefinition schema in {' '.join(files)}")
    print(f"crds: {', '.join(written)}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "kubernetes":
        kubernetes(sys.argv[2], pathlib.Path(sys.argv[3]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "crds":
        crds(pathlib.Path(sys.argv[2]), sys.argv[3:])
    else:
        sys.exit(__doc__)
