#!/usr/bin/env python3
"""Benchmark: filter-pattern evaluations per second on one core, for the 15 CIS AWS
Foundations monitoring patterns (tests/integration/fixtures/cis_controls.json) over real
CloudTrail records (../shared/datasets/: the Invictus and Stratus logs and the Panther
test records), through build/orgtrail-filterbench.

Each record is tokenized once and matched against all 15 patterns, as a log group with
15 metric filters evaluates an event. The peer column, measured in the same rounds, is
what parsing each record with a general JSON library (jansson) alone costs — the floor
of any matcher built on one. Rounds alternate; the table reports medians and ratios. The
match counts per control are printed as a check (they must not change between rounds).

Usage: python3 bench/filter_patterns.py [--rounds 5] [--duration 2]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BENCH = os.path.join(ROOT, "build", "orgtrail-filterbench")
SHARED = os.path.join(ROOT, "..", "shared", "datasets")
CIS = os.path.join(ROOT, "tests", "integration", "fixtures", "cis_controls.json")


def records():
    out = []
    for path in sorted(glob.glob(os.path.join(SHARED, "invictus-aws-dataset", "CloudTrail", "*.json"))):
        with open(path) as f:
            out.extend(json.load(f).get("Records", []))
    for path in sorted(glob.glob(os.path.join(SHARED, "stratus-detonation-logs", "*.json"))):
        with open(path) as f:
            data = json.load(f)
        out.extend(data if isinstance(data, list) else data.get("Records", []))
    with open(os.path.join(SHARED, "panther-cloudtrail-tests", "events.jsonl")) as f:
        for line in f:
            rec = json.loads(line).get("record")
            if isinstance(rec, dict):
                out.append(rec)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=float, default=2.0, help="seconds per side per round")
    args = ap.parse_args()
    if not os.path.exists(BENCH):
        sys.exit("build/orgtrail-filterbench is missing: run `make build` first")
    controls = json.load(open(CIS))["controls"]
    recs = records()
    with tempfile.TemporaryDirectory() as tmp:
        rpath, ppath = os.path.join(tmp, "records.jsonl"), os.path.join(tmp, "patterns.txt")
        with open(rpath, "w") as f:
            for r in recs:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
        with open(ppath, "w") as f:
            for c in controls:
                f.write(c["pattern"] + "\n")
        size = os.path.getsize(rpath)
        runs = []
        for i in range(args.rounds):
            out = subprocess.run(["taskset", "-c", "0", BENCH, rpath, ppath, str(args.duration)],
                                 check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(out))
            print("round %d: %.0f evaluations/s, %.0f records/s, jansson %.0f parses/s"
                  % (i + 1, runs[-1]["evaluations_per_second"], runs[-1]["records_per_second"],
                     runs[-1]["jansson_parses_per_second"]), file=sys.stderr)
    matches = {tuple(r["matches"]) for r in runs}
    if len(matches) != 1:
        sys.exit("match counts changed between rounds: %s" % matches)
    med = lambda k: statistics.median(r[k] for r in runs)
    ratio = statistics.median(r["records_per_second"] / r["jansson_parses_per_second"] for r in runs)
    print("\n%d CloudTrail records (%.0f bytes on average), %d CIS patterns, %d rounds of %.1f s, one core"
          % (len(recs), size / len(recs), len(controls), args.rounds, args.duration))
    print("| side | evaluations/s | records/s | ratio to peer (records/s) |")
    print("| --- | ---: | ---: | ---: |")
    print("| orgtrail (15 patterns, one tokenization per record) | %.0f | %.0f | %.2f |"
          % (med("evaluations_per_second"), med("records_per_second"), ratio))
    print("| peer: jansson json_loadb alone (no evaluation) | - | %.0f | 1.00 |"
          % med("jansson_parses_per_second"))
    print("\nmatches per control: " + ", ".join(
        "%s %d" % (c["id"], n) for c, n in zip(controls, runs[0]["matches"])))


if __name__ == "__main__":
    main()
