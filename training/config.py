"""Training configs: the one checker of training/config.schema.json (scripts/train.ts runs this module rather than a
copy of it), the split rules (training sources only folds 1-8, validation only fold 9, never fold 10), and the
schema's defaults (every optional setting's default is a "default" in the schema, nowhere else).

`python3 -m training.config --check SOURCE` reads a config as JSON on stdin: exit 0 when valid, else exit 2 with
the problem on stdout (scripts/train.ts validateConfig)."""
from __future__ import annotations

import copy
import json
import os
import re
import sys

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


def schema() -> dict:
    with open(SCHEMA_PATH) as f:
        return json.load(f)


def _resolve(s: dict, root: dict) -> dict:
    return root["definitions"][s["$ref"].split("/")[-1]] if "$ref" in s else s


_TYPES = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
}


def _check(v, s: dict, root: dict, path: str) -> None:
    s = _resolve(s, root)
    t = s.get("type")
    if t and not _TYPES[t](v):
        raise ConfigError(f"{path}: expected {t}, got {json.dumps(v)}")
    if "enum" in s and v not in s["enum"]:
        raise ConfigError(f"{path}: {json.dumps(v)} is not one of {json.dumps(s['enum'])}")
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
            if k in props:
                _check(x, props[k], root, f"{path}.{k}")
            elif s.get("additionalProperties") is False:
                raise ConfigError(f"{path}: unknown key '{k}' (allowed: {', '.join(sorted(props))})")
    if t == "array" and "items" in s:
        for i, x in enumerate(v):
            _check(x, s["items"], root, f"{path}[{i}]")


SPLITS = (("train", range(1, 9)), ("val", range(9, 10)))


def validate(cfg: dict) -> dict:
    """The schema, then the split rules. Returns cfg unchanged."""
    root = schema()
    _check(cfg, root, root, "config")
    for role, allowed in SPLITS:
        if not cfg["data"][role]:
            raise ConfigError(f"config.data.{role}: needs at least one source")
        for i, src in enumerate(cfg["data"][role]):
            if not parse_folds(src["folds"]) <= set(allowed):
                raise ConfigError(f"config.data.{role}[{i}].folds: {src['folds']} outside {','.join(map(str, allowed))} "
                                  "(train 1-8, validation 9; fold 10 is for the final evaluation only)")
    return cfg


def _fill(v, s: dict, root: dict):
    s = _resolve(s, root)
    if isinstance(v, dict):
        props = s.get("properties", {})
        for k, p in props.items():
            p = _resolve(p, root)
            if k not in v and "default" in p:
                v[k] = copy.deepcopy(p["default"])
            if k in v:
                _fill(v[k], p, root)
    elif isinstance(v, list) and "items" in s:
        for x in v:
            _fill(x, s["items"], root)
    return v


def with_defaults(cfg: dict) -> dict:
    """A copy of a valid config with every setting it leaves out set to the schema's "default"."""
    root = schema()
    return _fill(copy.deepcopy(cfg), root, root)


def load(path: str) -> dict:
    """Reads and validates a config file (as written: defaults are not filled in; see with_defaults)."""
    with open(path) as f:
        try:
            cfg = json.load(f)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}: invalid JSON: {e}") from e
    try:
        return validate(cfg)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}") from e


def main(argv: list[str]) -> int:
    if argv[:1] != ["--check"]:
        print("usage: python3 -m training.config --check [SOURCE] < config.json", file=sys.stderr)
        return 64
    try:
        validate(json.load(sys.stdin))
    except ConfigError as e:
        print(e)
        return 2
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        print(f"config: not a config ({e})")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
