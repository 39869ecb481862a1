#!/usr/bin/env python3
"""Benchmark: sustained bulk ingestion with delivery keeping up, orgtrail against rsyslog,
side by side in the same run with the same records.

orgtrail: a fresh store with the seed organization trail (scripts/quickstart.sh: an
organization of four accounts, a log-archive bucket, a logging multi-region organization
trail), served with a short --delivery-interval. build/orgtrail-ingestgen POSTs SigV4-signed
NDJSON batches to /_orgtrail/ingest as the management account, which may write records for
every account of its organization. An acknowledgement means the batch is in the journal,
fdatasync'ed. Delivery then writes the records as gzipped CloudTrail log files into the
bucket in the embedded object store. Measured per round:
  - records/s acknowledged (closed loop, after a warm-up), p50/p99 acknowledgement latency;
  - delivery backlog: journal records not yet in a delivered log file (records past the
    delivery cursor + records of planned files not yet written), sampled during the round
    (max) and at the end of the load, and the time it then takes to reach zero;
  - end-to-end records/s: every record of the round / (last one delivered - first sent);
  - peak RSS of the server (VmHWM, reset before each round).

rsyslog (Debian's package, installed when missing): a private rsyslogd per round (own
config, pid file and work directory in a temporary directory; no system logging) with
imtcp on a loopback port (LF framing) and omfile writing one gzip file, the fast
configuration below. ingestgen writes the same batches as lines over the same number of
connections. rsyslog acknowledges nothing, so it is timed end to end: from the first line
sent until the decompressed output holds every line (the file's last modification). A
second configuration adds omfile's sync (fsync after each batch) for a durability closer
to orgtrail's; it still acknowledges nothing to the sender.

Rounds alternate between the systems; the table reports medians over rounds.

Records: the real CloudTrail records of ../shared/datasets/invictus-aws-dataset (all
2,900, the AWS service events without userIdentity.type included), repeated to --records, with recipientAccountId (and userIdentity.accountId) spread over
the organization's accounts, eventTime set to the generation time (the accounts must be
members when the event happened, or the organization trail does not deliver it) and a fresh
eventID each.

Usage: python3 bench/ingest.py [--rounds 3] [--duration 10] [--connections 4] [--batch 1000]
"""
import argparse
import glob
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
import zlib

import boto3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.path.join(ROOT, "build", "orgtrail")
GEN = os.path.join(ROOT, "build", "orgtrail-ingestgen")
DATASET = os.path.join(ROOT, "..", "shared", "datasets", "invictus-aws-dataset", "CloudTrail")
REGION = "us-east-1"

# The fast rsyslog configuration. Why each setting:
#   maxMessageSize   records are up to tens of KB; the 8 KB default would split them
#   main_queue       in-memory array queue, large batches to the output (fewer wake-ups)
#   %rawmsg%         writes each record exactly as received (no syslog header added)
#   zipLevel 6       the level of issue 3's baseline; orgtrail's delivery now uses libdeflate
#                    level 1 (src/delivery/logfile.c: files ~11% larger, a third of the time)
#   ioBufferSize 1m  large writes; asyncWriting: a writer thread compresses and writes
#   flushOnTXEnd on  (the default) flush after each batch: off only delays the last lines
#                    by flushInterval and was not faster in trials
RSYSLOG_CONF = """\
global(workDirectory="{work}" maxMessageSize="256k")
module(load="imtcp")
main_queue(queue.type="FixedArray" queue.size="100000" queue.dequeueBatchSize="1024")
template(name="rawline" type="string" string="%rawmsg%\\n")
ruleset(name="bench") {{
  action(type="omfile" file="{out}" template="rawline" zipLevel="6" ioBufferSize="1m"
         {write_mode} flushOnTXEnd="on")
}}
input(type="imtcp" port="{port}" address="127.0.0.1" ruleset="bench")
"""
RSYSLOG_MODES = {
    "rsyslog": 'asyncWriting="on"',
    # sync: fdatasync after each batch (asyncWriting does not combine with it)
    "rsyslog-sync": 'asyncWriting="off" sync="on"',
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what):
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit("%s exited early" % what)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("%s did not start" % what)


def peak_rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def reset_peak_rss(pid):
    # 5 resets VmHWM to the current RSS (Linux >= 4.0), so each round has its own peak.
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ensure_rsyslog():
    if shutil.which("rsyslogd"):
        return
    print("installing rsyslog (Debian package, benchmark only)", file=sys.stderr)
    subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "rsyslog"],
                   check=True, stdout=subprocess.DEVNULL)
    # The package starts the system daemon; this benchmark runs its own instance only.
    if shutil.which("systemctl"):
        subprocess.run(["systemctl", "disable", "--now", "rsyslog"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def rsyslog_version():
    out = subprocess.run(["rsyslogd", "-v"], capture_output=True, text=True).stdout
    return out.split()[1] if out else "?"


# --------------------------------------------------------------------------------------
# orgtrail


class Orgtrail:
    def __init__(self, tmp, delivery_interval):
        self.data = os.path.join(tmp, "orgtrail")
        out = subprocess.run([BIN, "init", "--data", self.data], check=True,
                             capture_output=True, text=True)
        self.creds = json.loads(out.stdout)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [BIN, "serve", "--data", self.data, "--listen", "127.0.0.1:%d" % self.port,
             "--delivery-interval", str(delivery_interval)],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "orgtrail.log"), "w"))
        wait_port(self.port, self.proc, "orgtrail")
        self.journal_end = JournalEnd(os.path.join(self.data, "journal"))
        self.db = None

    def setup(self):
        """The seed organization trail, by the quickstart script (AWS CLI)."""
        env = dict(os.environ, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % self.port,
                   ORGTRAIL_DATA=self.data, AWS_DEFAULT_REGION=REGION)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.pop(k, None)
        subprocess.run([os.path.join(ROOT, "scripts", "quickstart.sh")], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kw = dict(endpoint_url="http://127.0.0.1:%d" % self.port, region_name=REGION,
                  aws_access_key_id=self.creds["AccessKeyId"],
                  aws_secret_access_key=self.creds["SecretAccessKey"])
        org = boto3.client("organizations", **kw)
        self.accounts = sorted(a["Id"] for a in org.list_accounts()["Accounts"])
        self.cloudtrail = boto3.client("cloudtrail", **kw)
        self.trail = self.cloudtrail.describe_trails()["trailList"][0]
        self.db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data, "state.db"),
                                  uri=True, timeout=30, check_same_thread=False)

    def backlog(self):
        """Journal records not yet in a delivered log file."""
        end = self.journal_end.last_seq()
        cur = self.db.execute("SELECT next_seq FROM delivery_cursor").fetchone()
        cursor = cur[0] if cur else 1
        planned = self.db.execute("SELECT COALESCE(SUM(records), 0) FROM outbox "
                                  "WHERE kind = 'log'").fetchone()[0]
        return max(0, end - (cursor - 1)) + planned

    def delivered_records(self):
        """Counts the records in the log files delivered into the trail's bucket (read from
        the object store's blobs: the check that the backlog figure is not fooling us)."""
        bucket = self.trail["S3BucketName"]
        rows = self.db.execute(
            "SELECT blob FROM s3_objects WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0"
            " AND key LIKE '%.json.gz'", (bucket,)).fetchall()
        n = 0
        for (blob,) in rows:
            path = glob.glob(os.path.join(self.data, "objects", "blobs", "*", blob))
            with open(path[0], "rb") as f:
                n += len(json.loads(zlib.decompress(f.read(), 31))["Records"])
        return n, len(rows)

    def stop(self):
        if self.db:
            self.db.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class JournalEnd:
    """The last sequence number in the journal, read from its segments (u32 length, u32 crc,
    u64 seq, payload per frame) incrementally: only frames new since the last call."""

    def __init__(self, directory):
        self.dir = directory
        self.segment, self.offset, self.seq = None, 0, 0

    def last_seq(self):
        segs = sorted(glob.glob(os.path.join(self.dir, "*.jnl")))
        if not segs:
            return 0
        for seg in segs[segs.index(self.segment) if self.segment in segs else 0:]:
            if seg != self.segment:
                self.segment, self.offset = seg, 0
            with open(seg, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                while self.offset + 16 <= size:
                    f.seek(self.offset)
                    length, _, seq = struct.unpack("<IIQ", f.read(16))
                    if self.offset + 16 + length > size:
                        break
                    self.seq = seq
                    self.offset += 16 + length
        return self.seq


def make_records(path, n, accounts):
    src = []
    for f in sorted(glob.glob(os.path.join(DATASET, "*.json"))):
        with open(f) as fh:
            src += json.load(fh)["Records"]
    if not src:
        sys.exit("no CloudTrail records under %s" % DATASET)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    size = 0
    with open(path, "w") as out:
        for i in range(n):
            r = dict(src[i % len(src)])
            account = accounts[i % len(accounts)]
            r["recipientAccountId"] = account
            if isinstance(r.get("userIdentity"), dict) and "accountId" in r["userIdentity"]:
                r["userIdentity"] = dict(r["userIdentity"], accountId=account)
            r["eventTime"] = now
            r["eventID"] = str(uuid.uuid4())
            line = json.dumps(r, separators=(",", ":")) + "\n"
            size += len(line)
            out.write(line)
    return size / n


def run_gen(mode, port, records, args, creds=None):
    cmd = [GEN, "--mode", mode, "--endpoint", "127.0.0.1:%d" % port, "--records", records,
           "--batch", str(args.batch), "--connections", str(args.connections),
           "--duration", str(args.duration), "--warmup", str(args.warmup)]
    if creds:
        cmd += ["--access-key", creds["AccessKeyId"], "--secret", creds["SecretAccessKey"],
                "--region", REGION]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    if r["errors"] or r["non2xx"] or r["rejected"]:
        sys.exit("%s load had failures: %s" % (mode, r))
    return r


def orgtrail_round(o, records, args):
    deadline = time.time() + args.drain_timeout
    while o.backlog() and time.time() < deadline:  # start from an empty backlog
        time.sleep(0.2)
    pid = o.proc.pid
    reset_peak_rss(pid)
    cpu0 = cpu_seconds(pid)
    seq0 = o.journal_end.last_seq()
    samples, stop = [], threading.Event()

    def sample():
        while not stop.wait(0.5):
            samples.append(o.backlog())

    t = threading.Thread(target=sample)
    t.start()
    try:
        r = run_gen("http", o.port, records, args, o.creds)
    finally:
        stop.set()
        t.join()
    load_end = time.time()
    backlog_end = o.backlog()
    while True:
        b = o.backlog()
        if b == 0:
            break
        if time.time() > load_end + args.drain_timeout:
            sys.exit("orgtrail: delivery backlog of %d records did not drain in %d s"
                     % (b, args.drain_timeout))
        time.sleep(0.05)
    drained = time.time()
    n = o.journal_end.last_seq() - seq0  # every record of the round, warm-up included
    return {
        "records_per_s": r["records_per_s"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"],
        "backlog_max": max(samples + [backlog_end]), "backlog_end": backlog_end,
        "drain_s": drained - load_end, "e2e_records_per_s": n / (drained - r["start_epoch"]),
        "peak_rss_mb": peak_rss_mb(pid), "cpu_s": cpu_seconds(pid) - cpu0, "records": n,
        "gen": r,
    }


def rsyslog_round(mode, tmp, records, args, rnd):
    d = os.path.join(tmp, "%s-%d" % (mode, rnd))
    os.makedirs(os.path.join(d, "work"))
    out = os.path.join(d, "records.log.gz")
    port = free_port()
    conf = os.path.join(d, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(RSYSLOG_CONF.format(work=os.path.join(d, "work"), out=out, port=port,
                                    write_mode=RSYSLOG_MODES[mode]))
    proc = subprocess.Popen(["rsyslogd", "-n", "-f", conf, "-i", os.path.join(d, "rsyslogd.pid")],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "log"), "w"))
    try:
        wait_port(port, proc, "rsyslogd")
        cpu0 = cpu_seconds(proc.pid)
        r = run_gen("tcp", port, records, args)
        # Every line in the file: decompress only what is new, and only once the file has
        # stopped growing for a poll, so that counting does not take CPU from rsyslog.
        z, lines, offset, last_size = zlib.decompressobj(31), 0, 0, -1
        deadline = time.time() + args.drain_timeout
        while True:
            time.sleep(0.1)
            st = os.stat(out) if os.path.exists(out) else None
            size = st.st_size if st else 0
            if st and size == last_size and size > offset:
                with open(out, "rb") as f:
                    f.seek(offset)
                    chunk = f.read()
                offset += len(chunk)
                lines += z.decompress(chunk).count(b"\n")
            if lines >= r["records"]:
                break
            if time.time() > deadline:
                sys.exit("%s: %d of %d lines written after %d s"
                         % (mode, lines, r["records"], args.drain_timeout))
            last_size = size
        if lines != r["records"]:
            sys.exit("%s: %d lines written for %d sent" % (mode, lines, r["records"]))
        written = st.st_mtime
        return {
            "records_per_s": r["records"] / (written - r["start_epoch"]),
            "send_records_per_s": r["records_per_s"], "drain_s": max(0.0, written - r["end_epoch"]),
            "peak_rss_mb": peak_rss_mb(proc.pid), "cpu_s": cpu_seconds(proc.pid) - cpu0,
            "records": r["records"], "gzip_bytes": size, "gen": r,
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of load per round")
    ap.add_argument("--warmup", type=float, default=2.0, help="orgtrail only (see ingestgen.c)")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--batch", type=int, default=1000, help="records per request")
    ap.add_argument("--records", type=int, default=100000, help="distinct records generated")
    ap.add_argument("--delivery-interval", type=int, default=1)
    ap.add_argument("--drain-timeout", type=int, default=300)
    ap.add_argument("--no-sync", action="store_true", help="skip the rsyslog sync configuration")
    args = ap.parse_args()
    for f in (BIN, GEN):
        if not os.access(f, os.X_OK):
            sys.exit("%s is missing: run `make build` first" % f)
    ensure_rsyslog()
    systems = ["orgtrail", "rsyslog"] + ([] if args.no_sync else ["rsyslog-sync"])
    tmp = tempfile.mkdtemp(prefix="orgtrail-bench-ingest-")
    o = None
    try:
        o = Orgtrail(tmp, args.delivery_interval)
        o.setup()
        setup_end = o.journal_end.last_seq()  # records from here on are all delivered
        records = os.path.join(tmp, "records.ndjson")
        avg = make_records(records, args.records, o.accounts)
        print("%d records (%.0f bytes on average) for %d accounts; trail %s"
              % (args.records, avg, len(o.accounts), o.trail["TrailARN"]), file=sys.stderr)
        results = {s: [] for s in systems}
        for rnd in range(args.rounds):
            for s in systems:
                if s == "orgtrail":
                    r = orgtrail_round(o, records, args)
                    print("round %d %-12s %8.0f records/s acked, p99 %6.1f ms, backlog max %d "
                          "end %d, drained in %.1f s, end-to-end %.0f/s, peak RSS %.0f MB"
                          % (rnd + 1, s, r["records_per_s"], r["p99_ms"], r["backlog_max"],
                             r["backlog_end"], r["drain_s"], r["e2e_records_per_s"],
                             r["peak_rss_mb"]), file=sys.stderr)
                else:
                    r = rsyslog_round(s, tmp, records, args, rnd)
                    print("round %d %-12s %8.0f records/s written (sent %.0f/s), drained in "
                          "%.1f s, peak RSS %.0f MB" % (rnd + 1, s, r["records_per_s"],
                                                        r["send_records_per_s"], r["drain_s"],
                                                        r["peak_rss_mb"]), file=sys.stderr)
                results[s].append(r)
        delivered, files = o.delivered_records()
        journal = o.journal_end.last_seq()
        med = {s: {k: statistics.median(x[k] for x in rs) for k in rs[0] if k != "gen"}
               for s, rs in results.items()}
        rv = rsyslog_version()
        print("Bulk ingestion, %d connections x %d records per request, %d rounds x %.0f s "
              "(medians)\n" % (args.connections, args.batch, args.rounds, args.duration))
        print("| system | records/s | p99 ack ms | backlog at end (max) | drain s | "
              "end-to-end records/s | peak RSS MB | CPU s / 1M records |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        m = med["orgtrail"]
        print("| orgtrail (acknowledged durably) | %.0f | %.1f | %d (%d) | %.1f | %.0f | %.0f | %.1f |"
              % (m["records_per_s"], m["p99_ms"], m["backlog_end"], m["backlog_max"],
                 m["drain_s"], m["e2e_records_per_s"], m["peak_rss_mb"],
                 m["cpu_s"] / m["records"] * 1e6))
        for s in systems[1:]:
            m = med[s]
            label = "rsyslog %s%s" % (rv, " + sync per batch" if s == "rsyslog-sync" else "")
            print("| %s (written, no ack) | %.0f | - | - | %.1f | %.0f | %.0f | %.1f |"
                  % (label, m["records_per_s"], m["drain_s"], m["records_per_s"],
                     m["peak_rss_mb"], m["cpu_s"] / m["records"] * 1e6))
        for s in systems[1:]:
            print("\norgtrail / %s: %.2fx the records/s acknowledged vs written, "
                  "%.2fx end to end" % (s, med["orgtrail"]["records_per_s"] / med[s]["records_per_s"],
                                        med["orgtrail"]["e2e_records_per_s"] / med[s]["records_per_s"]),
                  end="")
        print("\ndelivery check: %d records in %d delivered log files, journal holds %d"
              % (delivered, files, journal))
        if not journal - setup_end <= delivered <= journal:
            sys.exit("delivery check failed: records are missing from the delivered files")
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench", "results", "ingest.json"), "w") as f:
            json.dump({"args": vars(args), "rsyslog_version": rv, "rounds": results,
                       "medians": med, "delivered_records": delivered, "delivered_files": files,
                       "journal_records": journal}, f, indent=1)
    finally:
        if o:
            o.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
