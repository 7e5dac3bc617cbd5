#!/usr/bin/env python3
"""Latency of a one-line inventory feed through the daemon (issue #8).

Starts `catalogsync run` on a state that already holds a large catalog, waits for its start-up
cycle, then drops one-line inventory files into the watched folder (written beside it and renamed
into place, as the README recommends) and times each until the file channel has a new batch file
with that SKU's quantity. Prints p50 and p99 in milliseconds.

    python3 Benchmarks/latency/latency.py --binary .build/release/catalogsync \
        --state /tmp/m1/state --feed /tmp/catalogsync-bench/feeds/feed_1000000_g2.csv --drops 50
"""
import argparse, csv, os, random, shutil, subprocess, sys, tempfile, time

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--state", required=True, help="a state folder with the catalog (copied, not changed)")
    p.add_argument("--feed", required=True, help="the primary feed that state was synced from")
    p.add_argument("--drops", type=int, default=50)
    p.add_argument("--work", default=None, help="kept afterwards; by default a temporary folder, removed after a "
                   "successful run (it holds a copy of the state) and kept with the daemon's log after a failure")
    a = p.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="catalogsync-latency-")
    state, inv, out = (os.path.join(work, n) for n in ("state", "inventory", "out"))
    shutil.rmtree(state, ignore_errors=True)
    shutil.copytree(a.state, state)
    for folder in (inv, out):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
    with open(a.feed, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        skus = [next(rows)[0] for _ in range(1000)]
    config = os.path.join(work, "catalogsync.json")
    with open(config, "w") as f:
        f.write(f"""{{
  state_dir: "{state}",
  log: {{ format: "logfmt", level: "info" }},
  feeds: [
    {{ name: "products", source: "{a.feed}", profile: "google", currency: "SEK", locale: "en_US",
       guards: {{ min_items: 1 }}, poll: "24h" }},
    {{ name: "stock", source: "{inv}", kind: "inventory", poll: "24h" }},
  ],
  channels: [ {{ name: "bench", type: "file", path: "{out}" }} ],
}}
""")
    log = open(os.path.join(work, "daemon.log"), "w")
    daemon = subprocess.Popen([a.binary, "run", "--config", config], stderr=log, stdout=log)
    measured = False
    try:
        started = time.time()
        while "event=cycle.finished" not in open(log.name).read():
            if daemon.poll() is not None:
                sys.exit(f"the daemon exited ({daemon.returncode}); see {log.name}")
            time.sleep(0.5)
        print(f"start-up cycle: {time.time() - started:.1f} s", file=sys.stderr)
        seen = set(os.listdir(out))
        times = []
        for drop in range(a.drops):
            sku, quantity = random.choice(skus), 1000 + drop
            staging = os.path.join(work, f".stock-{drop}.csv")
            with open(staging, "w") as f:
                f.write(f"id,quantity\n{sku},{quantity}\n")
            t0 = time.perf_counter()
            os.rename(staging, os.path.join(inv, "stock.csv"))
            needle = f'"id":"{sku}"'
            while True:
                new = [n for n in os.listdir(out) if n not in seen and n.endswith(".jsonl")]
                hit = [n for n in new if needle in open(os.path.join(out, n)).read()]
                if hit:
                    times.append((time.perf_counter() - t0) * 1000)
                    seen.update(new)
                    break
                if time.perf_counter() - t0 > 30:
                    sys.exit(f"drop {drop} ({sku}) not pushed within 30 s; see {log.name}")
                time.sleep(0.001)
            time.sleep(0.2)
        times.sort()
        q = lambda x: times[min(len(times) - 1, int(len(times) * x + 0.999) - 1)]
        print(f"{len(times)} drops: p50 {q(0.5):.0f} ms, p99 {q(0.99):.0f} ms, max {times[-1]:.0f} ms")
        measured = True
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
        log.close()
        if measured and a.work is None:
            shutil.rmtree(work)

main()
