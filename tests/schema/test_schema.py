#!/usr/bin/env python3
"""The scenario JSON Schema (scenarios/schema.json) against the catalog and the loader.

Usage: test_schema.py FAULTLAB REPO

- the committed schema is exactly what `faultlab schema` prints;
- it is a valid 2020-12 schema, and every catalog file names it in "$schema"
  and validates, as does every variant applied to its file (RFC 7386);
- wrong files (a misspelled field, a wrong type, a wrong option, a field of
  another fault type) are refused by the schema and by the loader alike;
- field names agree both ways: every field a catalog file uses is in the
  schema (validation refuses the others), and every field the schema lists
  for an object the catalog has is one the loader knows (set through
  --set, the loader never answers unknown-field for it).

Validation uses Debian's python3-jsonschema (Draft202012Validator).
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from jsonschema import Draft202012Validator

FAULTLAB, REPO = sys.argv[1], Path(sys.argv[2])
CATALOG = REPO / "scenarios"
REGENERATE = "./faultlab schema > scenarios/schema.json (from the root of the checkout)"
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def faultlab(*args):
    return subprocess.run([FAULTLAB, *args], capture_output=True, text=True, timeout=120)


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


# 1. The committed file is the generated one.
printed = faultlab("schema")
if printed.returncode != 0:
    sys.exit(f"faultlab schema failed: {printed.stderr}")
committed = (CATALOG / "schema.json").read_text()
if printed.stdout != committed:
    fail(f"scenarios/schema.json is not what `faultlab schema` prints; regenerate it with: {REGENERATE}")
schema = json.loads(printed.stdout)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)


def errors(document):
    return sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))


# 2. Every catalog file, and every variant applied to it.
catalog = sorted(p for p in CATALOG.glob("*.json") if p.name != "schema.json")
assert catalog, "no catalog files"
documents = {}
for path in catalog:
    document = json.loads(path.read_text())
    documents[path.stem] = document
    if document.get("$schema") != "./schema.json":
        fail(f"{path.name}: \"$schema\" should be \"./schema.json\" (editors find the schema through it)")
    for error in errors(document):
        fail(f"{path.name}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    for variant, patch in document.get("variants", {}).items():
        applied = merge_patch({k: v for k, v in document.items() if k != "variants"}, patch)
        for error in errors(applied):
            fail(f"{path.name} variant {variant}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
print(f"{len(catalog)} catalog files and their variants validate")

# 3. Wrong files: the schema and the loader both refuse them.
base = documents["replica-lag"]
group = next(name for name, c in base["components"].items() if c["type"] == "replica_group")


def mutated(change):
    document = copy.deepcopy(base)
    change(document)
    return document


negatives = {
    "misspelled field": (lambda d: d["components"][group].update(read_polcy="primary"), "unknown-field"),
    "misspelled top-level field": (lambda d: d.update(lesons="..."), "unknown-field"),
    "wrong type": (lambda d: d["workload"].update(duration=20), "bad-duration"),
    "wrong type of a flag": (lambda d: d["components"][group].update(read_your_writes="yes"), "wrong-type"),
    "wrong option": (lambda d: d["components"][group].update(read_policy="sometimes"), "bad-value"),
    "unknown component type": (lambda d: d["components"][group].update(type="mainframe"), "bad-value"),
    "a field of another fault type": (
        lambda d: d["faults"].update(boom={"type": "crash", "at": "1s", "node": d["components"][group]["primary"],
                                           "probability": 0.5}), "unknown-field"),
    "misspelled field in a variant": (
        lambda d: d["variants"]["fixed"].setdefault("components", {}).setdefault(group, {}).update(read_polcy="primary"),
        "unknown-field"),
}
with tempfile.TemporaryDirectory() as work:
    for what, (change, error_id) in negatives.items():
        document = mutated(change)
        if validator.is_valid(document):
            fail(f"{what}: the schema accepts it")
        path = os.path.join(work, "bad.json")
        Path(path).write_text(json.dumps(document, indent=2))
        variant = "fixed" if "variant" in what else "base"
        loaded = faultlab("analyze", path, "--variant", variant)
        if loaded.returncode != 2 or f"error[{error_id}]" not in loaded.stderr:
            fail(f"{what}: the loader should refuse it with error[{error_id}], got exit {loaded.returncode}: "
                 f"{loaded.stderr.strip()}")
print(f"{len(negatives)} wrong files refused by the schema and by the loader")


# 4. Every field the schema lists for an object the catalog has loads.
def resolve(node):
    if "$ref" in node:
        return schema["$defs"][node["$ref"].split("/")[-1]]
    return node


def object_fields(node, value):
    """The properties a schema object allows for this value (its type's, if it has one)."""
    fields = dict(node.get("properties", {}))
    for branch in node.get("allOf", []):
        condition = branch["if"]
        key, const = next(iter(condition["properties"].items()))
        present = key in value
        if (present and value[key] == const["const"]) or (not present and key not in condition.get("required", [])):
            fields.update(branch["then"]["properties"])
    return fields


def sample(node):
    node = resolve(node)
    if "default" in node:
        return node["default"]
    if "enum" in node:
        return node["enum"][0]
    if "anyOf" in node:
        return sample(node["anyOf"][0])
    kind = node.get("type")
    if kind == "string":
        return "1s" if node.get("pattern", "").endswith("|h)$") else "x"
    return {"boolean": False, "integer": node.get("minimum", 1), "number": node.get("minimum", 1),
            "array": [], "object": {}}.get(kind, "x")


probes = {}  # (schema object, field) -> the first place the catalog has that object


def walk(node, value, path, file):
    node = resolve(node)
    if "anyOf" in node:
        for option in node["anyOf"]:
            if Draft202012Validator(dict(option, **{"$defs": schema["$defs"]})).is_valid(value):
                walk(option, value, path, file)
                return
        return
    if not isinstance(value, dict) or node.get("type") != "object":
        return
    fields = object_fields(node, value)
    for key, child in fields.items():
        if key in value:
            walk(child, value[key], path + [key], file)
        elif not path or path[0] != "variants":
            probes.setdefault((id(node), json.dumps(sorted(fields)), key), (file, path, key, child))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        for key, member in value.items():
            if key not in fields:
                walk(extra, member, path + [key], file)


for name, document in documents.items():
    walk(schema, document, [], CATALOG / f"{name}.json")
checked = 0
for file, path, key, child in probes.values():
    if key in ("variants", "$schema") or "." in "".join(path):
        continue
    dotted = ".".join(path + [key])
    result = faultlab("analyze", str(file), "--variant", "base", "--set", f"{dotted}={json.dumps(sample(child))}")
    checked += 1
    if "error[unknown-field]" in result.stderr and f"{dotted}" in result.stderr:
        fail(f"the schema lists {dotted}, but the loader does not know it: {result.stderr.strip()}")
print(f"{checked} schema fields missing from catalog objects: the loader knows each")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")
