"""Load a training config and check it against training/config.schema.json (the same file scripts/train.ts
checks), plus the split rules: training sources only folds 1-8, validation only fold 9, never fold 10."""
from __future__ import annotations

import json
import os
import re

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "config.schema.json")


class ConfigError(Exception):
    pass


def parse_folds(s: str) -> set[int]:
    """'1-8', '1,3,5-7', '9' -> the set of folds (the syntax of src/lib/ranges.ts parseFolds)."""
    out: set[int] = set()
    for part in str(s).split(","):
        a, _, b = part.strip().partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def _check(v, s, root, path):
    if "$ref" in s:
        s = root["definitions"][s["$ref"].split("/")[-1]]
    t = s.get("type")
    okt = {"object": lambda x: isinstance(x, dict), "array": lambda x: isinstance(x, list),
           "string": lambda x: isinstance(x, str), "boolean": lambda x: isinstance(x, bool),
           "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
           "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)}
    if t and not okt[t](v):
        raise ConfigError(f"{path}: expected {t}, got {json.dumps(v)}")
    if "enum" in s and v not in s["enum"]:
        raise ConfigError(f"{path}: {json.dumps(v)} is not one of {s['enum']}")
    if "minimum" in s and v < s["minimum"]:
        raise ConfigError(f"{path}: {v} < minimum {s['minimum']}")
    if "maximum" in s and v > s["maximum"]:
        raise ConfigError(f"{path}: {v} > maximum {s['maximum']}")
    if "pattern" in s and not re.search(s["pattern"], v):
        raise ConfigError(f"{path}: {json.dumps(v)} does not match {s['pattern']}")
    if t == "object":
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in v:
                raise ConfigError(f"{path}: missing required key '{k}'")
        for k, x in v.items():
            if k not in props:
                if s.get("additionalProperties") is False:
                    raise ConfigError(f"{path}: unknown key '{k}' (allowed: {', '.join(sorted(props))})")
                continue
            _check(x, props[k], root, f"{path}.{k}")
    if t == "array" and "items" in s:
        for i, x in enumerate(v):
            _check(x, s["items"], root, f"{path}[{i}]")


def validate(cfg: dict) -> dict:
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    _check(cfg, schema, schema, "config")
    for role, allowed in (("train", set(range(1, 9))), ("val", {9})):
        if not cfg["data"][role]:
            raise ConfigError(f"config.data.{role}: needs at least one source")
        for i, src in enumerate(cfg["data"][role]):
            f = parse_folds(src["folds"])
            if not f <= allowed:
                raise ConfigError(f"config.data.{role}[{i}].folds: {src['folds']} outside {sorted(allowed)} "
                                  "(train 1-8, validation 9; fold 10 is for the final evaluation only)")
    return cfg


def load(path: str) -> dict:
    with open(path) as f:
        try:
            cfg = json.load(f)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}: invalid JSON: {e}") from e
    try:
        return validate(cfg)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}") from e
