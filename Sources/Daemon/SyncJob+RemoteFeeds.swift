import Foundation
import Store

extension SyncJob {
    /// What to read for each remote feed: the fresh download, nothing (not modified), or why the fetch failed.
    enum RemoteSource {
        /// Read `file`; store `validators` (the download's) in the run's transaction once the feed's outcome is
        /// recorded there.
        case file(URL, validators: FetchValidators?)
        case unchanged
        case failed(FeedRejection)
    }

    /// A download a run fetched and then gave way before reading it into the store (`SyncGaveWay`): the run that
    /// reads the feed again reads it instead of downloading it again (its validators were not stored).
    struct KeptDownload: Sendable {
        let file: URL
        let validators: FetchValidators?
    }

    /// Fetches the run's http(s) feeds before the transaction (a download may take a while), but for those with a
    /// download kept from a run that gave way (not in a `resync --full`, which downloads whole).
    func fetchRemoteFeeds(options: SyncOptions) async -> [String: RemoteSource] {
        let fetcher = FeedFetcher(store: store, stateDirectory: config.stateDirectory, logger: logger)
        var sources: [String: RemoteSource] = [:]
        for feed in config.feeds where feed.isRemote && (options.feeds?.contains(feed.name) ?? true) {
            if !options.refetch, let kept = options.keptDownloads[feed.name] {
                sources[feed.name] = .file(kept.file, validators: kept.validators)
                continue
            }
            if !options.refetch, let held = heldDownload(feed, fetcher: fetcher, options: options) {
                sources[feed.name] = .file(held, validators: nil)  // stored when it was held
                continue
            }
            do {
                switch try await fetcher.fetch(feed, ignoreCache: options.refetch) {
                case .changed(let file, let validators): sources[feed.name] = .file(file, validators: validators)
                case .unchanged: sources[feed.name] = .unchanged
                }
            } catch {
                sources[feed.name] = .failed(error)
            }
        }
        return sources
    }

    /// The download a guard held, when this run lets it through (`approve FEED`, `sync --force`): the server would
    /// answer "not modified" to its stored validators, and the generation would stay held.
    private func heldDownload(_ feed: FeedConfig, fetcher: FeedFetcher, options: SyncOptions) -> URL? {
        guard let state = try? store.feedState(feed.name), state.status == "held", state.source == feed.source,
              options.ignoreGuards || (try? store.isApproved(feed: feed.name)) == true else { return nil }
        let file = fetcher.cachedFile(feed)
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }

    /// The downloads among `sources`, to keep when the run gives way.
    static func downloads(in sources: [String: RemoteSource]) -> [String: KeptDownload] {
        sources.compactMapValues {
            guard case .file(let file, let validators) = $0 else { return nil }
            return KeptDownload(file: file, validators: validators)
        }
    }

    /// For a preview: the last downloads of the remote feeds, without fetching.
    func cachedRemoteFeeds() -> [String: RemoteSource] {
        let fetcher = FeedFetcher(store: store, stateDirectory: config.stateDirectory, logger: logger)
        var sources: [String: RemoteSource] = [:]
        for feed in config.feeds where feed.isRemote {
            let file = fetcher.cachedFile(feed)
            sources[feed.name] = FileManager.default.fileExists(atPath: file.path)
                ? .file(file, validators: nil) : .unchanged
        }
        return sources
    }
}
