#!/usr/bin/env python3
"""The daemon's own steady cycles, which `catalogsync-bench` (one `sync --once` process per cycle) does not time.

Runs `catalogsync run` on a copy of STATE (a state synced from FEED), then replaces its primary feed with the other
generation (NEXT, then FEED again, and so on) once the daemon has finished the cycle before and waited --pause
seconds, --cycles times, and prints each cycle's seconds from its `event=cycle.finished` lines. What differs from a
`sync --once` cycle is what a long-running daemon keeps between cycles: its connection, page cache and WAL.

    python3 Benchmarks/latency/cycles.py --binary .build/release/catalogsync --state STATE \\
        --feed feed_1000000_g1.csv --next-feed feed_1000000_g2.csv --cycles 8
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time

CONFIG = """{{ state_dir: "{state}", log: {{ format: "logfmt", level: "info" }},
  feeds: [{{ name: "products", source: "{primary}", profile: "google", currency: "SEK", locale: "en_US",
            guards: {{ min_items: 1 }} }}],
  channels: [{{ name: "bench", type: "file", path: "{out}" }}] }}
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--state", required=True, help="a state folder synced from --feed (copied, not changed)")
    p.add_argument("--feed", required=True)
    p.add_argument("--next-feed", required=True, help="another generation of --feed")
    p.add_argument("--cycles", type=int, default=8)
    p.add_argument("--pause", type=float, default=3.0, help="seconds between a cycle's end and the next feed")
    p.add_argument("--work", default=None, help="kept afterwards (without the state copy); by default temporary")
    a = p.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="catalogsync-cycles-")
    state, out, log_path = (os.path.join(work, n) for n in ("state", "out", "daemon.log"))
    for folder in (state, out):
        shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(out)
    shutil.copytree(a.state, state)
    generations = [os.path.join(work, f"generation-{n}.csv") for n in (0, 1)]
    for source, copy in zip((a.feed, a.next_feed), generations):
        shutil.copyfile(source, copy)
    primary = os.path.join(work, "primary.csv")
    shutil.copyfile(a.feed, primary)
    config = os.path.join(work, "catalogsync.json")
    with open(config, "w") as f:
        f.write(CONFIG.format(state=state, primary=primary, out=out))

    def finished():
        return open(log_path).read().count("event=cycle.finished")

    with open(log_path, "w") as log:
        daemon = subprocess.Popen([a.binary, "run", "--config", config], stdout=log, stderr=log)
        try:
            while finished() < 1:
                if daemon.poll() is not None:
                    sys.exit(f"the daemon exited ({daemon.returncode}); see {log_path}")
                time.sleep(0.2)
            for cycle in range(a.cycles):
                before = finished()
                time.sleep(a.pause)
                staged = os.path.join(work, ".primary.csv")
                os.link(generations[(cycle + 1) % 2], staged)
                os.utime(staged)  # written now, as an export would be
                os.replace(staged, primary)
                while finished() <= before:
                    if daemon.poll() is not None:
                        sys.exit(f"the daemon exited ({daemon.returncode}); see {log_path}")
                    time.sleep(0.2)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
    seconds = [float(s) for s in re.findall(r"event=cycle.finished reason=file_changed seconds=([0-9.]+)",
                                            open(log_path).read())]
    ordered = sorted(seconds)
    median = (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) / 2 if ordered else 0
    print(f"{len(seconds)} cycles: " + " ".join(f"{s:.2f}" for s in seconds) + f"; median {median:.2f} s")
    shutil.rmtree(state, ignore_errors=True)
    if a.work is None:
        shutil.rmtree(work)


main()
