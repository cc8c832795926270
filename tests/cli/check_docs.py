#!/usr/bin/env python3
"""docs/formats.md matches the code: every ```json block is labelled with an example comment,
validates against its schema, every snapshot example reads cleanly with `warden validate`, and
every plan example is exactly what `warden decide` prints for its snapshot. Also checks the
schemas against the fixtures: the valid ones and their plans pass, wrongly typed ones fail.
Usage: check_docs.py WARDEN DOCS_DIR FIXTURES_DIR"""
import json
import os
import re
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("FAIL: python3-jsonschema is not installed (./dev setup installs it)")
    sys.exit(1)

warden, docs, fixtures = sys.argv[1:4]
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def validator(name):
    with open(os.path.join(docs, "schema", name + ".schema.json")) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


schemas = {k: validator(k) for k in ("snapshot", "plan", "validation-report")}
# The apply result refers to the plan schema (urn:warden:schema:plan); validate_schema.py
# resolves that, so its examples go through it.
APPLY_RESULT = "apply-result"


def schema_errors(kind, doc):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schemas[kind].iter_errors(doc)]


def warden_run(*args, stdin=None):
    return subprocess.run([warden, *args], input=stdin, capture_output=True, text=True)


# --- the examples in docs/formats.md
with open(os.path.join(docs, "formats.md")) as f:
    text = f.read()
blocks = re.findall(r"(<!-- example: ([\w-]+) (\w+) -->\n)?```json\n(.*?)```", text, re.S)
if len(blocks) < 4:
    fail(f"only {len(blocks)} json examples found in formats.md")
snapshots = {}
counts = {}
for label, kind, name, body in blocks:
    if not label:
        fail("a ```json block without an <!-- example: KIND NAME --> label: " + body[:60])
        continue
    where = f"formats.md example {kind} {name}"
    counts[kind] = counts.get(kind, 0) + 1
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as e:
        fail(f"{where}: not JSON: {e}")
        continue
    if kind == APPLY_RESULT:
        run = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__),
                                                           "validate_schema.py"), docs, kind],
                             input=body, capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"{where}: {run.stdout.strip()} {run.stderr.strip()}")
        continue
    if kind not in schemas:
        fail(f"{where}: unknown kind {kind}")
        continue
    for e in schema_errors(kind, doc):
        fail(f"{where}: schema: {e}")
    if kind == "snapshot":
        snapshots[name] = body
        run = warden_run("validate", "--format", "json", "-", stdin=body)
        if run.returncode != 0 or run.stderr:
            fail(f"{where}: warden validate exit {run.returncode}: {run.stderr.strip()}")
    elif kind == "plan":
        if name not in snapshots:
            fail(f"{where}: no snapshot example named {name} before it")
            continue
        run = warden_run("decide", "--format", "json", "-", stdin=snapshots[name])
        if run.returncode != 0:
            fail(f"{where}: warden decide exit {run.returncode}: {run.stderr.strip()}")
        elif run.stdout.rstrip("\n") != body.rstrip("\n"):
            fail(f"{where}: differs from what warden decide prints:\n{run.stdout}")
for kind in ("snapshot", "plan", "validation-report"):
    if counts.get(kind, 0) == 0:
        fail(f"formats.md has no {kind} example")

# --- the schemas against the fixtures
checked = 0
for entry in sorted(os.listdir(fixtures)):
    if not entry.endswith(".json"):
        continue
    path = os.path.join(fixtures, entry)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw)
    except ValueError:
        continue  # truncated or empty on purpose
    run = warden_run("decide", "--format", "json", path)
    errors = schema_errors("snapshot", doc)
    if run.returncode == 0:
        checked += 1
        for e in errors:
            fail(f"{entry}: warden accepts it but the snapshot schema does not: {e}")
        for e in schema_errors("plan", json.loads(run.stdout)):
            fail(f"{entry}: its plan breaks the plan schema: {e}")
    if entry in ("bad_wrong_types.json", "bad_unknown_status.json", "bad_times.json",
                 "bad_not_object.json", "bad_out_of_range.json") and not errors:
        fail(f"{entry}: the snapshot schema accepts a document warden refuses for its types")
    report = warden_run("validate", "--format", "json", path)
    for e in schema_errors("validation-report", json.loads(report.stdout)):
        fail(f"{entry}: its validation report breaks the schema: {e}")
if checked < 10:
    fail(f"only {checked} valid fixtures checked against the schemas")

if failures:
    sys.exit(1)
print(f"ok: {len(blocks)} examples in formats.md, {checked} fixtures against the schemas")
