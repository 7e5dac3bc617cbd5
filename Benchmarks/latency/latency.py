#!/usr/bin/env python3
"""Latency of a one-line inventory feed through the daemon (issue #8).

Starts `catalogsync run` on a state that already holds a large catalog, waits for its start-up
cycle, then drops one-line inventory files into the watched folder (written beside it and renamed
into place, as the README recommends) and times each until the file channel has a new batch file
with that SKU's quantity. Prints p50 and p99 in milliseconds.

    python3 Benchmarks/latency/latency.py --binary .build/release/catalogsync \
        --state /tmp/m1/state --feed /tmp/catalogsync-bench/feeds/feed_1000000_g2.csv --drops 50

With `--next-feed` (another generation of the primary feed, e.g. `feed_1000000_g1.csv`), each drop
lands while the daemon syncs the primary feed: the primary file is replaced by the other generation,
and the drop follows after a random delay of up to `--delay-max` seconds. Each drop then sets an
in-stock SKU to 0 (a stock decrease, the delta that jumps the queue), and the next drop waits until
the daemon is idle again (by the `STATUS=` it sends to a notify socket of the script's). Each drop's time
(UTC) is printed, to find it in the daemon's log. The primary feed is read from a copy in the work folder.

With `--platform meta` the channel is a Meta catalog on `catalogsync sandbox` (started on a free port of
127.0.0.1 with `--record`), and a drop counts once the sandbox has answered an `items_batch` request that
sets the SKU's `quantity_to_sell_on_facebook` (it applies items as they are posted; Meta confirms a batch
later, through `check_batch_request_status`, which the channel polls every `poll_interval`, 2 s). Each drop
waits until the daemon is idle, so that it does not queue behind the last one's polls. The sandbox starts
empty, so instead of `--state` the script first syncs `--feed` into a new state through it (`sync --once`,
untimed).
"""
import argparse, csv, json, os, random, shutil, socket, subprocess, sys, tempfile, threading, time

CONFIG = """{{
  state_dir: "{state}",
  log: {{ format: "logfmt", level: "info" }},
  feeds: [
    {{ name: "products", source: "{primary}", profile: "google", currency: "SEK", locale: "en_US",
       guards: {{ min_items: 1 }}, poll: "24h" }},
    {{ name: "stock", source: "{inventory}", kind: "inventory", poll: "24h" }},
  ],
  channels: [ {channel} ],
}}
"""


def in_stock_skus(path, count):
    """The first `count` SKUs of a CSV feed with a quantity above 0, in feed order."""
    found = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row.get("quantity", "").isdigit() and int(row["quantity"]) > 0:
                found.append(row["id"])
                if len(found) == count:
                    break
    return found


class BatchFiles:
    """The file channel's batch files, each read once: which SKUs they set to which quantity."""

    def __init__(self, folder):
        self.folder, self.read = folder, set(os.listdir(folder))

    def skip_written(self):
        """Takes the batch files written so far as read: those of a generation pushed before the drop would
        otherwise be read (5,000 lines each) after it, and counted in its time."""
        self.read.update(os.listdir(self.folder))

    def find(self, sku, quantity):
        """Whether a batch file written since the last call sets `sku` to `quantity`."""
        found = False
        key = f'"id":"{sku}"'
        for name in sorted(os.listdir(self.folder)):
            if name in self.read or not name.endswith(".jsonl"):
                continue  # a batch is written under a temporary name and renamed: a listed one is whole
            self.read.add(name)
            with open(os.path.join(self.folder, name)) as f:
                text = f.read()
            if key in text:  # parse the lines of the one batch that has the SKU, not of every batch
                found = found or any(key in line and json.loads(line)["values"].get("quantity") == quantity
                                     for line in text.splitlines())
        return found


class RecordedRequests:
    """The sandbox's record file (`--record`), each line read once: which SKUs Meta was told which quantity."""

    def __init__(self, path):
        # From its end: the requests so far are the first sync's, answered while no drop waited.
        self.path, self.offset, self.partial = path, os.path.getsize(path), b""

    def find(self, sku, quantity):
        """Whether a request answered since the last call set `sku` to `quantity`."""
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = self.partial + f.read()
            self.offset = f.tell()
        *lines, self.partial = data.split(b"\n")  # the last piece is empty or a line still being written
        found = False
        for line in lines:
            if f'"{sku}"'.encode() not in line:
                continue
            request = json.loads(line)
            body = request.get("body") if request.get("status") == 200 else None
            for item in (body.get("requests", []) if isinstance(body, dict) else []):
                data = item.get("data", {})
                found = found or (data.get("id") == sku and data.get("quantity_to_sell_on_facebook") == quantity)
        return found


def start_sandbox(binary, record):
    """`catalogsync sandbox --port 0 --record RECORD`; returns the process and its base URL."""
    sandbox = subprocess.Popen([binary, "sandbox", "--port", "0", "--record", record], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    line = sandbox.stdout.readline().decode()
    if "http://127.0.0.1:" not in line:
        sandbox.kill()
        sys.exit(f"the sandbox did not start: {line!r}")
    return sandbox, line.split("listening on ")[1].split()[0]


class Notifications:
    """The daemon's sd_notify messages, on a socket of our own (`NOTIFY_SOCKET`), read as they come by a thread
    (a datagram socket queues only a few; the daemon drops what does not fit): the last `STATUS=` says whether it
    is idle ("idle: last cycle …", or "serving: …" after start-up) or in a cycle ("syncing (…)"). Its log can be
    quiet for seconds within a cycle (reading a large feed again after it gave way to a drop)."""

    def __init__(self, work):
        self.path = os.path.join(work, "notify.sock")
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)
        self.status, self.changed = "", time.time()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            for line in self.socket.recv(4096).decode().splitlines():
                if line.startswith("STATUS="):
                    self.status, self.changed = line[len("STATUS="):], time.time()

    def idle(self, quiet):
        """Whether the last status is idle and nothing came for `quiet` seconds (a next cycle may follow at once)."""
        status, changed = self.status, self.changed
        return status.startswith(("idle", "serving")) and time.time() - changed >= quiet


def wait_until_idle(notifications, daemon, log_path, quiet=0.5, limit=600):
    """Until the daemon has been idle for `quiet` seconds."""
    started = time.time()
    while time.time() - started < limit:
        if daemon.poll() is not None:
            sys.exit(f"the daemon exited ({daemon.returncode}); see {log_path}")
        if notifications.idle(quiet):
            return
        time.sleep(0.05)
    sys.exit(f"the daemon was not idle within {limit} s; see {log_path}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--state", help="a state folder with the catalog (copied, not changed); not with meta")
    p.add_argument("--feed", required=True, help="the primary feed that state was synced from")
    p.add_argument("--platform", choices=("file", "meta"), default="file",
                   help="the channel: a file channel (default), or Meta on the sandbox")
    p.add_argument("--next-feed", help="another generation of the primary feed: drop while the daemon syncs it")
    p.add_argument("--delay-max", type=float, default=6.0,
                   help="with --next-feed: the longest wait between replacing the primary feed and the drop")
    p.add_argument("--drops", type=int, default=50)
    p.add_argument("--work", default=None, help="kept afterwards; by default a temporary folder, removed after a "
                   "successful run (it holds a copy of the state) and kept with the daemon's log after a failure")
    a = p.parse_args()
    if (a.state is None) != (a.platform == "meta"):
        p.error("--state is needed with the file channel, and not used with meta (the sandbox starts empty)")
    work = a.work or tempfile.mkdtemp(prefix="catalogsync-latency-")
    state, inv, out = (os.path.join(work, n) for n in ("state", "inventory", "out"))
    shutil.rmtree(state, ignore_errors=True)
    if a.state:
        shutil.copytree(a.state, state)
    for folder in (inv, out):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
    primary = a.feed
    if a.next_feed:
        # Both generations as files of their own in the work folder: one is linked into place per drop.
        generations = [os.path.join(work, f"generation-{n}.csv") for n in (0, 1)]
        for source, copy in zip((a.feed, a.next_feed), generations):
            shutil.copyfile(source, copy)
        primary = os.path.join(work, "primary.csv")
        shutil.copyfile(a.feed, primary)
        # A decrease in either generation: in stock in both.
        second = set(in_stock_skus(a.next_feed, 20_000))
        skus = [sku for sku in in_stock_skus(a.feed, 20_000) if sku in second]
        if len(skus) < a.drops:
            sys.exit(f"only {len(skus)} SKUs in stock in both generations among the first rows")
        random.shuffle(skus)
    else:
        with open(a.feed, newline="") as f:
            rows = csv.reader(f)
            next(rows)
            skus = [next(rows)[0] for _ in range(1000)]
    config, record = os.path.join(work, "catalogsync.json"), os.path.join(work, "requests.jsonl")
    log = open(os.path.join(work, "daemon.log"), "w")
    daemon, sandbox, measured = None, None, False
    try:
        channel = f'{{ name: "bench", type: "file", path: "{out}" }}'
        if a.platform == "meta":
            token = os.path.join(work, "meta.token")
            with open(os.open(token, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                f.write("sandbox-token\n")
            sandbox, base = start_sandbox(a.binary, record)
            channel = (f'{{ name: "bench", type: "meta", catalog_id: "1", base_url: "{base}/meta/v21.0", '
                       f'token_file: "{token}" }}')
        with open(config, "w") as f:
            f.write(CONFIG.format(state=state, primary=primary, inventory=inv, channel=channel))
        if sandbox:
            started = time.time()
            seeded = subprocess.run([a.binary, "sync", "--once", "--config", config], stdout=subprocess.DEVNULL,
                                    stderr=log)
            if seeded.returncode > 1:  # 1: data problems, such as the inventory folder without a file yet
                sys.exit(f"syncing the feed into the sandbox failed ({seeded.returncode}); see {log.name}")
            print(f"first sync through the sandbox: {time.time() - started:.1f} s", file=sys.stderr)
        notifications = Notifications(work)
        daemon = subprocess.Popen([a.binary, "run", "--config", config], stderr=log, stdout=log,
                                  env=dict(os.environ, NOTIFY_SOCKET=notifications.path))
        started = time.time()
        while "event=cycle.finished" not in open(log.name).read():
            if daemon.poll() is not None:
                sys.exit(f"the daemon exited ({daemon.returncode}); see {log.name}")
            time.sleep(0.5)
        print(f"start-up cycle: {time.time() - started:.1f} s", file=sys.stderr)
        batches = RecordedRequests(record) if sandbox else BatchFiles(out)
        times = []
        for drop in range(a.drops):
            if a.next_feed:
                wait_until_idle(notifications, daemon, log.name)
                staged = os.path.join(work, ".primary.csv")
                os.link(generations[(drop + 1) % 2], staged)
                os.utime(staged)  # written now, as an export would be: a file older than the last applied is held
                os.replace(staged, primary)
                time.sleep(random.uniform(0, a.delay_max))
                sku, quantity = skus[drop], 0
            else:
                if sandbox:  # a Meta push waits for its batch's status (`poll_interval`): not behind the last one
                    wait_until_idle(notifications, daemon, log.name, quiet=0.3)
                sku, quantity = random.choice(skus), 1000 + drop
            staging = os.path.join(work, f".stock-{drop}.csv")
            with open(staging, "w") as f:
                f.write(f"id,quantity\n{sku},{quantity}\n")
            if isinstance(batches, BatchFiles):
                batches.skip_written()
            t0, dropped = time.perf_counter(), time.time()
            os.rename(staging, os.path.join(inv, "stock.csv"))
            while not batches.find(sku, quantity):
                if time.perf_counter() - t0 > 300:
                    sys.exit(f"drop {drop} ({sku}) not pushed within 300 s; see {log.name}")
                time.sleep(0.001)
            times.append((time.perf_counter() - t0) * 1000)
            if a.next_feed:  # when, to find it in the daemon's log
                stamp = time.strftime("%H:%M:%S", time.gmtime(dropped)) + f".{int(dropped * 1000) % 1000:03d}"
                print(f"drop {drop} at {stamp} UTC: {times[-1]:.0f} ms", file=sys.stderr)
            time.sleep(0.2)
        times.sort()
        q = lambda x: times[min(len(times) - 1, int(len(times) * x + 0.999) - 1)]
        print(f"{len(times)} drops: p50 {q(0.5):.0f} ms, p99 {q(0.99):.0f} ms, max {times[-1]:.0f} ms")
        measured = True
    finally:
        for process in (daemon, sandbox):
            if process:
                process.terminate()
                process.wait(timeout=60)
        log.close()
        if measured and a.work is None:
            shutil.rmtree(work)

main()
