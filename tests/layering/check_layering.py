#!/usr/bin/env python3
"""Fails, naming file, line and include, when a public header includes a layer above its own.

  check_layering.py [ROOT]      ROOT holds include/warden/ (default: this repository)

The layers of include/warden/, lowest first (docs/architecture.md, "Layers"):
  core/, detail/   plain data and leaf utilities: they include only core/ and detail/
  facts/           what one tick knows: only core/, detail/ and facts/
  rules/, rails/   side by side on facts/: a rule never includes a rail, nor a rail a rule
  io/              renders plans and snapshots: never includes rails/
Everything else (engine.hpp, the umbrella header, adapters/, testing/) sits on top.
Only `#include <warden/...>` and quoted includes resolved next to the file count; standard and
third-party headers are nobody's layer.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

# layer -> (the layers it may include, or None for "any but"), (the layers it may not include)
ONLY = {
    "core": {"core", "detail"},
    "detail": {"core", "detail"},
    "facts": {"core", "detail", "facts"},
}
NEVER = {
    "rules": {"rails"},
    "rails": {"rules"},
    "io": {"rails"},
}


def layer_of(rel):
    """'rules/reconcile.hpp' -> 'rules'; a top-level header is its own name."""
    return rel.split("/", 1)[0] if "/" in rel else rel


def warden_include(header_dir, rel_dir, bracket, target):
    """The included header relative to include/warden/, or None if it is not ours."""
    if bracket == "<":
        return target[len("warden/"):] if target.startswith("warden/") else None
    resolved = os.path.normpath(os.path.join(header_dir, rel_dir, target))
    if not resolved.startswith(header_dir + os.sep) or not os.path.exists(resolved):
        return None
    return os.path.relpath(resolved, header_dir).replace(os.sep, "/")


def check(root):
    header_dir = os.path.join(root, "include", "warden")
    if not os.path.isdir(header_dir):
        sys.exit("check_layering: no include/warden/ under %s" % root)
    problems = []
    for dirpath, _, files in sorted(os.walk(header_dir)):
        for name in sorted(files):
            if not name.endswith((".hpp", ".h")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, header_dir).replace(os.sep, "/")
            rel_dir = os.path.dirname(rel)
            mine = layer_of(rel)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = warden_include(header_dir, rel_dir, m.group(1), m.group(2))
                    if target is None:
                        continue
                    theirs = layer_of(target)
                    if mine in ONLY and theirs not in ONLY[mine]:
                        why = "%s/ may include only %s" % (
                            mine, ", ".join(l + "/" for l in sorted(ONLY[mine])))
                    elif theirs in NEVER.get(mine, ()):
                        why = "%s/ must not include %s/" % (mine, theirs)
                    else:
                        continue
                    problems.append("include/warden/%s:%d: includes <warden/%s>: %s" %
                                    (rel, number, target, why))
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    problems = check(os.path.abspath(root))
    for p in problems:
        print(p)
    if problems:
        print("layering: %d include(s) run back up the layers (docs/architecture.md, \"Layers\")"
              % len(problems))
        return 1
    print("layering: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
