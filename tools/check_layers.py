#!/usr/bin/env python3
"""Checks the shape of src/ that the build cannot see (part of `make test`):

  - every #include "dir/file.h" names a header of the file's own layer or of a layer it
    may use (src/LAYERS, transitively): the link check in CMakeLists.txt catches upward
    calls, this catches upward uses of types and inline code;
  - no cycle among the files' includes (a header that, through others, includes itself:
    the two files are one concept or a lower one needs splitting out);
  - no source file over MAX_LINES lines (one concept per file).

Usage: tools/check_layers.py [--root DIR]. Prints each finding; exit 1 when there is one.
"""
import argparse
import os
import re
import sys

MAX_LINES = 1000
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([A-Za-z0-9_]+\.h)"', re.M)


def read_layers(path):
    deps = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, uses = line.partition(":")
            deps[name.strip()] = uses.split()
    allowed = {}
    for name in deps:  # the file lists layers lowest first: closures are known by now
        seen = {name}
        for d in deps[name]:
            seen |= allowed[d]
        allowed[name] = seen
    return allowed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    args = ap.parse_args()
    src = os.path.join(args.root, "src")
    allowed = read_layers(os.path.join(src, "LAYERS"))
    findings = []
    graph = {}
    for layer in sorted(os.listdir(src)):
        d = os.path.join(src, layer)
        if not os.path.isdir(d):
            continue
        if layer not in allowed:
            findings.append("src/%s/: a directory that is not a layer in src/LAYERS" % layer)
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            rel = "%s/%s" % (layer, name)
            with open(os.path.join(d, name)) as f:
                text = f.read()
            lines = text.count("\n")
            if lines > MAX_LINES:
                findings.append("src/%s: %d lines (at most %d: split it by concept)"
                                % (rel, lines, MAX_LINES))
            graph[rel] = []
            for m in INCLUDE.finditer(text):
                target = "%s/%s" % (m.group(1), m.group(2))
                graph[rel].append(target)
                if m.group(1) not in allowed[layer]:
                    findings.append("src/%s includes %s: layer %s may not use %s (src/LAYERS)"
                                    % (rel, target, layer, m.group(1)))
    # Cycles, by depth-first search over the include graph.
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cyc = stack[stack.index(nxt):] + [nxt]
                findings.append("include cycle: " + " -> ".join(cyc))
            elif nxt in graph and not state.get(nxt):
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            visit(node)
    for f in findings:
        print("check_layers: " + f)
    if not findings:
        print("check_layers: %d files in %d layers: includes go downward, no cycles, none over "
              "%d lines" % (len(graph), len(allowed), MAX_LINES))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
