#!/usr/bin/env python3
"""Validates a JSON document (stdin) against one of docs/schema/*.schema.json, the others loaded
so that `urn:warden:schema:...` references resolve. Prints each error; exit 1 if any.
Usage: validate_schema.py DOCS_DIR NAME < document.json"""
import json
import os
import sys

import jsonschema

docs, name = sys.argv[1:3]
schema_dir = os.path.join(docs, "schema")
schemas = {}
for entry in os.listdir(schema_dir):
    with open(os.path.join(schema_dir, entry)) as f:
        s = json.load(f)
    schemas[s["$id"]] = s
schema = schemas["urn:warden:schema:" + name]
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
try:  # jsonschema >= 4.18: the referencing registry
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (uri, Resource.from_contents(s)) for uri, s in schemas.items())
    validator = cls(schema, registry=registry)
except ImportError:  # Debian bookworm's 4.10
    validator = cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=schemas))
errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
          for e in validator.iter_errors(json.load(sys.stdin))]
for e in errors:
    print("schema:", e)
sys.exit(1 if errors else 0)
