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

    /// Fetches the run's http(s) feeds before the transaction (a download may take a while).
    func fetchRemoteFeeds(options: SyncOptions) async -> [String: RemoteSource] {
        let fetcher = FeedFetcher(store: store, stateDirectory: config.stateDirectory, logger: logger)
        var sources: [String: RemoteSource] = [:]
        for feed in config.feeds where feed.isRemote && (options.feeds?.contains(feed.name) ?? true) {
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
