/// The state database's schema, as numbered migrations (append-only).
enum Schema {
    static let migrations: [(version: Int, sql: String)] = [
        (1, """
        CREATE TABLE feeds (
            name TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            generation INTEGER NOT NULL DEFAULT 0,
            applied_at TEXT,
            item_count INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'new',
            status_reason TEXT,
            etag TEXT,
            last_modified TEXT
        );
        -- One row per SKU per feed: the offer in listing form (canonical JSON) and its fingerprint.
        CREATE TABLE items (
            feed TEXT NOT NULL,
            sku TEXT NOT NULL,
            group_id TEXT,
            fingerprint INTEGER NOT NULL,
            data TEXT NOT NULL,
            line INTEGER,
            generation INTEGER NOT NULL,
            PRIMARY KEY (feed, sku)
        ) WITHOUT ROWID;
        CREATE INDEX items_by_sku ON items (sku);
        -- What each channel acknowledged per SKU; acked IS NULL: not on the channel.
        CREATE TABLE listings (
            channel TEXT NOT NULL,
            sku TEXT NOT NULL,
            acked TEXT,
            acked_version INTEGER NOT NULL DEFAULT 0,
            last_version INTEGER NOT NULL DEFAULT 0,
            remote_id TEXT,
            acked_at TEXT,
            PRIMARY KEY (channel, sku)
        ) WITHOUT ROWID;
        -- At most one unsent delta per channel and SKU: a newer one replaces it.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            sku TEXT NOT NULL,
            version INTEGER NOT NULL,
            op TEXT NOT NULL,
            priority INTEGER NOT NULL,
            changed TEXT NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            seen_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (channel, sku)
        );
        CREATE INDEX outbox_order ON outbox (channel, state, priority, id);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            outcome TEXT,
            stats TEXT
        );
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            event TEXT NOT NULL,
            feed TEXT,
            channel TEXT,
            sku TEXT,
            message TEXT NOT NULL
        );
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            args TEXT,
            requested_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            result TEXT,
            finished_at TEXT
        );
        """),
        (2, """
        -- The latency trail: when a delta was diffed and sent (seen_at and the ack time exist already).
        ALTER TABLE outbox ADD COLUMN sent_at TEXT;
        -- An operator's `approve FEED`: the next generation of the feed passes its guards once.
        ALTER TABLE feeds ADD COLUMN approved INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX requests_pending ON requests (state, id);
        """),
        (3, """
        -- Stock (and price) from inventory feeds, applied on top of the primary item while newer than it.
        CREATE TABLE stock_overrides (
            sku TEXT PRIMARY KEY,
            feed TEXT NOT NULL,
            quantity INTEGER,
            availability TEXT,
            price TEXT,
            sale_price TEXT,
            observed_at TEXT NOT NULL,
            line INTEGER
        ) WITHOUT ROWID;
        -- When the feed file was written (its modification time): what overrides are compared with.
        ALTER TABLE feeds ADD COLUMN source_time TEXT;
        """),
        (4, """
        -- The hash of the feed record an item was read from: a record unchanged byte for byte is not mapped again.
        ALTER TABLE items ADD COLUMN raw_hash INTEGER;
        -- What ingest loads each generation: SKU, record hash and listing fingerprint, without the listing.
        CREATE INDEX items_digest ON items (feed, sku, raw_hash, fingerprint);
        -- A channel's last whole reconcile: while the configuration is the same and no sale window opened or
        -- closed (valid_until), a reconcile need only look at the SKUs a run changed.
        CREATE TABLE reconcile_marks (
            channel TEXT PRIMARY KEY,
            config_key TEXT NOT NULL,
            valid_until TEXT
        ) WITHOUT ROWID;
        """),
        (5, """
        -- A random number each generation that changes a feed's items sets: the feed's digest file (beside the
        -- database) is used only up to the segment that names it. Whatever else changes `items` must set it too.
        ALTER TABLE feeds ADD COLUMN digest_stamp INTEGER;
        """),
        (6, """
        -- The digests come from each feed's digest file; reading them from `items` instead (when the file cannot
        -- be used) is slower, but no write of an item pays for the index any more.
        DROP INDEX items_digest;
        """),
    ]
}
