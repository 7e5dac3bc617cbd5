#!/usr/bin/env python3
"""Phases of single `catalogsync sync --once` cycles, for comparing builds or settings by hand (issue #8).

The bench (`catalogsync-bench`) gives medians of whole cycles against the baselines; this runs one kind of cycle
again and again, alternating between variants, and prints each run's phases from the cycle's log: ingest
(`sync.started` to `feed.ingested`), reconcile (to the last `reconcile.enqueued`), the first push batch and the
whole push (to the last `push.batch`), and what the process took after `sync.finished` (the exit's checkpoint and
the WAL's removal), with wall time, peak RSS and the WAL's largest size (sampled every 50 ms).

Each variant is a binary, optionally with environment variables, and gets a seed of its own: its binary syncs
`--seed-feed` into an empty state once (kept in WORK/seed-NAME and reused while it exists). A build reads only the
record hashes that a binary of the same size and modification time wrote (`FeedScanner.buildIdentity`), so a seed
made by another build would make every run an upgrade's cycle. Copy a binary with `cp -p` to keep its identity.
Each run starts from a fresh copy of its variant's seed, written to disk first, with the feed read into the page
cache, as the bench does.

    python3 Benchmarks/phases/phases.py --work /tmp/ab --seed-feed feeds/gen1.csv --feed feeds/gen2.csv \
        --variant before=/tmp/catalogsync-before --variant after=.build/release/catalogsync --rounds 5
"""
import argparse, datetime, os, re, shutil, statistics, subprocess, sys, threading, time

CONFIG = """{{
  state_dir: "{state}",
  log: {{ format: "logfmt", level: "info" }},
  feeds: [
    {{ name: "products", source: "{feed}", format: "auto", profile: "google", kind: "primary", currency: "SEK",
       locale: "en_US", encoding: "auto", guards: {{ min_items: 1 }} }},
  ],
  channels: [ {{ name: "bench", type: "file", path: "{out}" }} ],
}}
"""


def parse_variant(text):
    name, _, rest = text.partition("=")
    binary, *settings = rest.split(",")
    if not name or not binary or not all("=" in setting for setting in settings):
        sys.exit(f"--variant {text!r}: expected NAME=BINARY[,KEY=VALUE...]")
    env = dict(setting.split("=", 1) for setting in settings)
    return name, os.path.abspath(binary), env


def sync(binary, env, work, feed, log_path):
    """One `sync --once` of `feed` on WORK/state; returns (exit status, wall s, peak RSS MiB, WAL peak MB)."""
    state, out = os.path.join(work, "state"), os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    config = os.path.join(work, "catalogsync.json")
    with open(config, "w") as f:
        f.write(CONFIG.format(state=state, feed=os.path.abspath(feed), out=out))
    wal, peak, done = os.path.join(state, "catalogsync.db-wal"), [0], threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], os.path.getsize(wal))
            except OSError:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    with open(log_path, "w") as log:
        child = subprocess.Popen([binary, "sync", "--once", "--config", config], stdout=subprocess.DEVNULL,
                                 stderr=log, env={**os.environ, **env})
        try:
            _, status, usage = os.wait4(child.pid, 0)
            ended = time.monotonic()
        except BaseException:  # interrupted: leave no cycle running on the copy
            child.kill()
            child.wait()
            raise
        finally:
            done.set()
            sampler.join()
    wall = ended - started
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024, peak[0] / 1e6


def phases(log_path):
    """Seconds per phase from the cycle's log (logfmt time stamps)."""
    events = []
    for line in open(log_path):
        stamp, event = re.search(r"\bts=(\S+)", line), re.search(r"\bevent=(\S+)", line)
        if stamp and event:
            when = datetime.datetime.fromisoformat(stamp.group(1).replace("Z", "+00:00")).timestamp()
            events.append((when, event.group(1)))

    def first(name):
        return next((t for t, e in events if e == name), None)

    start, finished = first("sync.started"), first("sync.finished")
    if start is None or finished is None:
        return None
    ingested = first("feed.ingested") or start
    reconciled = max((t for t, e in events if e == "reconcile.enqueued"), default=ingested)
    batches = [t for t, e in events if e == "push.batch"]
    pushed = batches[-1] if batches else reconciled
    return {"ingest": ingested - start, "reconcile": reconciled - ingested,
            "first batch": (batches[0] - reconciled) if batches else 0.0, "push": pushed - reconciled,
            "log span": finished - start}


def copy_seed(seed, state):
    shutil.rmtree(state, ignore_errors=True)
    shutil.copytree(seed, state)
    for name in os.listdir(state):  # on disk before the timed cycle, as the bench does
        fd = os.open(os.path.join(state, name), os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)


def read_into_page_cache(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work", required=True, help="a folder for the seeds, the state and the logs (kept)")
    p.add_argument("--seed-feed", required=True, help="the generation each variant's seed is synced from")
    p.add_argument("--feed", required=True, help="the generation each timed run syncs")
    p.add_argument("--variant", action="append", required=True, metavar="NAME=BINARY[,KEY=VALUE...]",
                   help="a binary to run, with environment variables for it; give two or more to alternate")
    p.add_argument("--rounds", type=int, default=3, help="runs of each variant, alternating (default 3)")
    a = p.parse_args()
    variants = [parse_variant(v) for v in a.variant]
    if len({name for name, _, _ in variants}) < len(variants):
        sys.exit("--variant: each needs a name of its own (it names the variant's seed)")
    os.makedirs(a.work, exist_ok=True)
    state = os.path.join(a.work, "state")
    for name, binary, env in variants:
        seed = os.path.join(a.work, f"seed-{name}")
        if os.path.isdir(seed):
            continue
        print(f"seeding {seed} with {binary} (untimed)", file=sys.stderr)
        shutil.rmtree(state, ignore_errors=True)
        code, wall, _, _ = sync(binary, env, a.work, a.seed_feed, os.path.join(a.work, f"seed-{name}.log"))
        if code > 1:
            sys.exit(f"seeding {name} failed (exit {code}); see {a.work}/seed-{name}.log")
        os.rename(state, seed)
        print(f"  {wall:.1f} s", file=sys.stderr)
    results = {name: [] for name, _, _ in variants}
    for round_ in range(1, a.rounds + 1):
        for name, binary, env in variants:
            copy_seed(os.path.join(a.work, f"seed-{name}"), state)
            read_into_page_cache(a.feed)
            log_path = os.path.join(a.work, f"run-{name}-{round_}.log")
            code, wall, rss, wal = sync(binary, env, a.work, a.feed, log_path)
            times = phases(log_path)
            if code > 1 or times is None:
                sys.exit(f"{name} round {round_} failed (exit {code}); see {log_path}")
            times.update({"wall": wall, "after log": wall - times["log span"]})
            results[name].append(times)
            shown = " ".join(f"{key}={times[key]:.3f}" for key in
                             ("wall", "ingest", "reconcile", "first batch", "push", "after log"))
            print(f"{time.strftime('%H:%M:%S')} {name} round {round_}: {shown} rss={rss:.0f}MiB wal={wal:.0f}MB",
                  flush=True)
    print("medians:")
    for name, runs in results.items():
        shown = " ".join(f"{key}={statistics.median(r[key] for r in runs):.3f}" for key in
                         ("wall", "ingest", "reconcile", "first batch", "push", "after log"))
        print(f"  {name} ({len(runs)} runs): {shown}")


if __name__ == "__main__":
    main()
