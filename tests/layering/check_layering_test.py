#!/usr/bin/env python3
"""Proves check_layering.py can fail: a tree with one bad include per rule must be refused, with
each file and include named, and the same tree without them must pass."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_layering.py")

# file -> its includes; every line marked BAD must be reported, and nothing else.
TREE = {
    "core/job.hpp": ["<warden/core/ids.hpp>", "<warden/detail/text.hpp>", "<vector>"],
    "core/ids.hpp": ["<cstdint>"],
    "core/plan.hpp": ["<warden/facts/context.hpp> BAD core/ may include only core/, detail/"],
    "detail/text.hpp": ["<string_view>"],
    "detail/index.hpp": ["<warden/rules/a.hpp> BAD detail/ may include only core/, detail/"],
    "facts/context.hpp": ["<warden/core/job.hpp>", "<warden/detail/text.hpp>"],
    "facts/build.hpp": ["<warden/facts/context.hpp>", "\"context.hpp\"",
                        "<warden/rails/r.hpp> BAD facts/ may include only core/, detail/, facts/",
                        "\"../rules/a.hpp\" BAD facts/ may include only core/, detail/, facts/"],
    "rules/a.hpp": ["<warden/facts/context.hpp>", "<warden/rules/b.hpp>",
                    "<warden/rails/r.hpp> BAD rules/ must not include rails/"],
    "rules/b.hpp": ["<warden/facts/build.hpp>"],
    "rails/r.hpp": ["<warden/facts/context.hpp>",
                    "<warden/rules/b.hpp> BAD rails/ must not include rules/"],
    "io/text.hpp": ["<warden/core/plan.hpp>", "<warden/outcome.hpp>",
                    "<warden/rails/r.hpp> BAD io/ must not include rails/"],
    "outcome.hpp": ["<warden/core/plan.hpp>"],
    "engine.hpp": ["<warden/rails/r.hpp>", "<warden/rules/a.hpp>", "<warden/facts/build.hpp>"],
}


def write_tree(root, keep_bad):
    expected = []
    for rel, includes in TREE.items():
        path = os.path.join(root, "include", "warden", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        lines = ["#pragma once"]
        for inc in includes:
            target, _, why = inc.partition(" BAD ")
            if why and not keep_bad:
                continue
            lines.append("#include " + target)
            if why:
                name = target.strip('<>"')
                if name.startswith("../"):
                    name = "warden/" + os.path.normpath(
                        os.path.join(os.path.dirname(rel), name)).replace(os.sep, "/")
                expected.append("include/warden/%s:%d: includes <%s>: %s" %
                                (rel, len(lines), name, why))
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    return expected


def run(root):
    return subprocess.run([sys.executable, CHECKER, root], capture_output=True, text=True)


def main():
    failures = []
    with tempfile.TemporaryDirectory() as bad, tempfile.TemporaryDirectory() as good:
        expected = write_tree(bad, keep_bad=True)
        r = run(bad)
        reported = [l for l in r.stdout.splitlines() if l.startswith("include/")]
        if r.returncode != 1:
            failures.append("a tree with bad includes exited %d, not 1" % r.returncode)
        for e in expected:
            if e not in reported:
                failures.append("not reported: " + e)
        for l in reported:
            if l not in expected:
                failures.append("reported but allowed: " + l)
        write_tree(good, keep_bad=False)
        r = run(good)
        if r.returncode != 0:
            failures.append("the same tree without them exited %d:\n%s" % (r.returncode, r.stdout))
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("check_layering refuses all %d bad includes and passes the clean tree" %
              len(expected))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
