#!/usr/bin/env python3
"""Estimates what a different storage layout would save a steady 1M cycle: the store's writes only.

Replays the SQLite work of a steady generation (as `genfeed.py` makes it: 5% stock, 1% prices, 0.5% added, 0.5%
removed) on copies of a real catalogsync state, in three layouts, one after the other in each round:

- wide:   the present schema. A changed item rewrites its `items` row (about 760 bytes of canonical JSON), every
          acknowledgement its `listings` row (as much again): five rows to a 4 KiB page.
- narrow: stock (quantity, availability) and the listing's versions in narrow tables of their own, about 70 rows to
          a page; a stock-only change writes only those. Reconcile here reads only the narrow rows of a stock-only
          change, which is optimistic (the daemon's diff reads the whole item).
- append: no B-tree: the same records appended to a file, `fdatasync` at each commit. A floor for a log-structured
          store, which would also need compaction and an index (not counted).

Each phase as the daemon commits it: ingest and reconcile in one transaction, then push batches of 5,000 (one
transaction each, in priority order), SQLite's automatic checkpoint off (the daemon checkpoints on a thread of its
own) and one PASSIVE checkpoint at the end. Python's per-statement cost is in every SQLite figure alike. Not
modelled: parsing, mapping, the diff, the channel's files.

    python3 Benchmarks/layout/layout.py --state STATE --work DIR [--rounds 3]

STATE is a state folder synced from a 1M feed (`catalogsync sync --once`); DIR gets the copies (about 2.4 GB each).
"""
import argparse, json, os, random, shutil, sqlite3, statistics, time

STOCK, PRICE, ADDED, REMOVED = 50_000, 10_000, 5_000, 5_000
BATCH = 5_000
NOW = '2026-11-25T11:00:00Z'


def connect(path):
    c = sqlite3.connect(path, isolation_level=None)
    for pragma in ('journal_mode = WAL', 'synchronous = NORMAL', 'cache_size = -16384', 'secure_delete = FAST',
                   'wal_autocheckpoint = 0'):
        c.execute('PRAGMA ' + pragma)
    return c


def make_narrow(c):
    """Adds the narrow tables, filled from the wide rows."""
    c.execute('BEGIN')
    c.execute('CREATE TABLE items_stock (feed TEXT NOT NULL, sku TEXT NOT NULL, quantity INTEGER, availability TEXT, '
              'PRIMARY KEY (feed, sku)) WITHOUT ROWID')
    c.execute('CREATE TABLE listing_stock (channel TEXT NOT NULL, sku TEXT NOT NULL, quantity INTEGER, '
              'availability TEXT, acked_version INTEGER NOT NULL DEFAULT 0, last_version INTEGER NOT NULL DEFAULT 0, '
              'acked_at TEXT, PRIMARY KEY (channel, sku)) WITHOUT ROWID')
    c.execute("INSERT INTO items_stock SELECT feed, sku, json_extract(data, '$.quantity'), "
              "json_extract(data, '$.availability') FROM items ORDER BY feed, sku")
    c.execute("INSERT INTO listing_stock SELECT channel, sku, json_extract(acked, '$.quantity'), "
              "json_extract(acked, '$.availability'), acked_version, last_version, acked_at FROM listings "
              "ORDER BY channel, sku")
    c.execute('COMMIT')
    c.execute('PRAGMA wal_checkpoint(TRUNCATE)')


class Generation:
    """The SKUs a steady generation changes, the same for every layout."""

    def __init__(self, c):
        self.feed = c.execute('SELECT feed FROM items LIMIT 1').fetchone()[0]
        self.channel = c.execute('SELECT channel FROM listings LIMIT 1').fetchone()[0]
        skus = [row[0] for row in c.execute('SELECT sku FROM items ORDER BY feed, sku')]
        self.item = c.execute('SELECT data FROM items LIMIT 1').fetchone()[0]
        rnd = random.Random(1)
        picked = rnd.sample(range(len(skus)), STOCK + PRICE + REMOVED)
        kinds = ['stock'] * STOCK + ['price'] * PRICE + ['removed'] * REMOVED
        changes = {skus[i]: kind for i, kind in zip(picked, kinds)}
        changes.update({skus[i] + '-NEW': 'added' for i in rnd.sample(range(len(skus)), ADDED)})
        self.touched = sorted(changes.items())
        # Push order: sold out first (deletions, an eighth of the stock changes), then other decreases, the rest.
        def priority(sku, kind):
            if kind == 'removed' or (kind == 'stock' and rnd.random() < 0.125):
                return 0
            return 1 if kind == 'stock' and rnd.random() < 0.5 else 2
        self.pushed = sorted(((priority(s, k), s, k) for s, k in self.touched), key=lambda t: (t[0], t[1]))

    def payload(self, kind):
        return self.item if kind in ('added', 'price') else json.dumps({'quantity': 3, 'availability': 'in_stock'})


def sqlite_cycle(path, layout, gen):
    c = connect(path)
    narrow = layout == 'narrow'
    times = {}
    start = time.monotonic()
    c.execute('BEGIN IMMEDIATE')
    for sku, kind in gen.touched:  # ingest, in the feed's (SKU) order
        if kind == 'removed':
            c.execute('DELETE FROM items WHERE feed = ? AND sku = ?', (gen.feed, sku))
            if narrow:
                c.execute('DELETE FROM items_stock WHERE feed = ? AND sku = ?', (gen.feed, sku))
        elif narrow and kind == 'stock':
            c.execute('UPDATE items_stock SET quantity = 3 WHERE feed = ? AND sku = ?', (gen.feed, sku))
        else:
            c.execute('INSERT INTO items (feed, sku, group_id, fingerprint, data, line, generation) '
                      'VALUES (?, ?, ?, 7, ?, 1, 2) ON CONFLICT (feed, sku) DO UPDATE SET data = excluded.data, '
                      'fingerprint = excluded.fingerprint, generation = 2', (gen.feed, sku, sku[:8], gen.item))
            if narrow and kind == 'added':
                c.execute("INSERT INTO items_stock VALUES (?, ?, 3, 'in_stock')", (gen.feed, sku))
    times['ingest'] = time.monotonic() - start
    for priority, sku, kind in sorted(gen.pushed, key=lambda t: t[1]):  # reconcile, in SKU order
        if narrow and kind == 'stock':
            c.execute('SELECT quantity FROM items_stock WHERE feed = ? AND sku = ?', (gen.feed, sku)).fetchone()
            c.execute('SELECT quantity, acked_version FROM listing_stock WHERE channel = ? AND sku = ?',
                      (gen.channel, sku)).fetchone()
        else:
            c.execute('SELECT data FROM items WHERE feed = ? AND sku = ?', (gen.feed, sku)).fetchone()
            c.execute('SELECT acked FROM listings WHERE channel = ? AND sku = ?', (gen.channel, sku)).fetchone()
        c.execute('INSERT OR REPLACE INTO outbox (channel, sku, version, op, priority, changed, payload, seen_at, '
                  'created_at) VALUES (?, ?, 2, ?, ?, ?, ?, ?, ?)',
                  (gen.channel, sku, 'delete' if kind == 'removed' else 'update', priority, '[]', gen.payload(kind),
                   NOW, NOW))
    c.execute('COMMIT')
    times['reconcile'] = time.monotonic() - start - times['ingest']
    rows = c.execute('SELECT id, sku FROM outbox WHERE channel = ? ORDER BY priority, id', (gen.channel,)).fetchall()
    kinds = dict(gen.touched)
    for first in range(0, len(rows), BATCH):  # push: one transaction per acknowledged batch
        c.execute('BEGIN IMMEDIATE')
        for outbox_id, sku in rows[first:first + BATCH]:
            kind = kinds[sku]
            if narrow and kind == 'stock':
                c.execute('UPDATE listing_stock SET quantity = 3, acked_version = 2, acked_at = ?, last_version = 2 '
                          'WHERE channel = ? AND sku = ?', (NOW, gen.channel, sku))
            else:
                c.execute('INSERT INTO listings (channel, sku, acked, acked_version, last_version, acked_at) '
                          'VALUES (?, ?, ?, 2, 2, ?) ON CONFLICT (channel, sku) DO UPDATE SET acked = excluded.acked, '
                          'acked_version = 2, acked_at = excluded.acked_at, last_version = 2',
                          (gen.channel, sku, None if kind == 'removed' else gen.item, NOW))
                if narrow:
                    c.execute("INSERT OR REPLACE INTO listing_stock VALUES (?, ?, 3, 'in_stock', 2, 2, ?)",
                              (gen.channel, sku, NOW))
            c.execute('DELETE FROM outbox WHERE id = ?', (outbox_id,))
        c.execute('COMMIT')
    times['push'] = time.monotonic() - start - times['ingest'] - times['reconcile']
    c.execute('PRAGMA wal_checkpoint(PASSIVE)')
    wal = os.path.getsize(path + '-wal')
    c.close()
    times['total'] = time.monotonic() - start
    return times, wal


def append_cycle(path, gen):
    """The same records appended to one file: an item per change, an outbox record per delta, an ack per delta."""
    times = {}
    start = time.monotonic()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for sku, kind in gen.touched:
        os.write(fd, f'{gen.feed}\t{sku}\t{"" if kind == "removed" else gen.item}\n'.encode())
    times['ingest'] = time.monotonic() - start
    for priority, sku, kind in gen.pushed:
        os.write(fd, f'{gen.channel}\t{sku}\t{priority}\t{gen.payload(kind)}\n'.encode())
    os.fdatasync(fd)
    times['reconcile'] = time.monotonic() - start - times['ingest']
    for first in range(0, len(gen.pushed), BATCH):
        for priority, sku, kind in gen.pushed[first:first + BATCH]:
            os.write(fd, f'{gen.channel}\t{sku}\t2\t{NOW}\t{"" if kind == "removed" else gen.item}\n'.encode())
        os.fdatasync(fd)
    times['push'] = time.monotonic() - start - times['ingest'] - times['reconcile']
    size = os.fstat(fd).st_size
    os.close(fd)
    times['total'] = time.monotonic() - start
    return times, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--state', required=True, help='a state folder synced from a 1M feed')
    parser.add_argument('--work', required=True, help='where the copies go (removed at the end)')
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    seeds = {'wide': os.path.join(args.work, 'wide.db'), 'narrow': os.path.join(args.work, 'narrow.db')}
    for layout, seed in seeds.items():
        shutil.copyfile(os.path.join(args.state, 'catalogsync.db'), seed)
        c = connect(seed)
        if layout == 'narrow':
            make_narrow(c)
        else:
            gen = Generation(c)
        c.close()
    results = {name: [] for name in ('wide', 'narrow', 'append')}
    for round_ in range(args.rounds):
        for layout in results:
            path = os.path.join(args.work, 'run')
            for suffix in ('', '-wal', '-shm'):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            if layout == 'append':
                times, written = append_cycle(path, gen)
            else:
                shutil.copyfile(seeds[layout], path)
                os.sync()
                times, written = sqlite_cycle(path, layout, gen)
            results[layout].append(times)
            print(f'round {round_ + 1} {layout:6} ' + ' '.join(f'{k} {v:.2f}' for k, v in times.items())
                  + f' s; WAL or file {written / 2**20:.0f} MiB', flush=True)
    print('medians (s): ' + '; '.join(
        f'{layout} ' + ' / '.join(f'{statistics.median(t[k] for t in runs):.2f}'
                                  for k in ('ingest', 'reconcile', 'push', 'total'))
        for layout, runs in results.items()) + ' (ingest / reconcile / push / total)')
    shutil.rmtree(args.work)


if __name__ == '__main__':
    main()
