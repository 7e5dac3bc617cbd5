#if canImport(Glibc)
import Glibc
#endif
import Channels
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Store

/// Downloads http(s) feeds into `<state_dir>/feeds/`, with a conditional GET (`If-None-Match`,
/// `If-Modified-Since`) so an unchanged feed costs one small request and no ingest.
///
/// The download goes to a temporary file that is renamed into place only when complete: a failed or
/// cut-off download never replaces the last good copy, and the feed is rejected for the run (so
/// nothing is deleted because of it). The response's validators are not stored here: the run that reads the
/// download stores them in its transaction (`SyncJob.ingestFeeds`), so a run that fails or is killed before its
/// commit leaves the old ones, and the next fetch downloads the feed again instead of hearing "not modified".
struct FeedFetcher {
    let store: CatalogStore
    let stateDirectory: URL
    let logger: Logger

    enum Outcome {
        /// A new version: read it from `file`; store `validators` with what the run makes of it.
        case changed(URL, FetchValidators)
        /// The server says nothing changed since the last download.
        case unchanged
    }

    /// Where the last good download of `feed` is kept.
    func cachedFile(_ feed: FeedConfig) -> URL {
        let name = feed.sourceURL.pathExtension.isEmpty ? feed.name : "\(feed.name).\(feed.sourceURL.pathExtension)"
        return stateDirectory.appendingPathComponent("feeds").appendingPathComponent(name)
    }

    /// - Parameter ignoreCache: fetch whole, without validators (`resync --full`).
    func fetch(_ feed: FeedConfig, ignoreCache: Bool) async throws(FeedRejection) -> Outcome {
        let file = cachedFile(feed)
        var request = URLRequest(url: feed.sourceURL, timeoutInterval: 60)
        request.setValue("catalogsync", forHTTPHeaderField: "User-Agent")
        let exists = FileManager.default.fileExists(atPath: file.path)
        let stored = try? store.fetchValidators(feed: feed.name)
        if exists && !ignoreCache, let stored {
            if let etag = stored.etag { request.setValue(etag, forHTTPHeaderField: "If-None-Match") }
            if let date = stored.lastModified { request.setValue(date, forHTTPHeaderField: "If-Modified-Since") }
        }
        let downloaded: URL, response: URLResponse
        let requestedAt = Date()
        do {
            (downloaded, response) = try await URLSession.shared.download(for: request)
        } catch {
            throw FeedRejection("\(feed.sourceURL.absoluteString): fetch failed: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: downloaded) }
        guard let http = response as? HTTPURLResponse else {
            throw FeedRejection("\(feed.sourceURL.absoluteString): fetch failed: not an HTTP response")
        }
        if http.statusCode == 304 && exists {
            logger.info("feed.not_modified", ["feed": feed.name])
            return .unchanged
        }
        guard http.statusCode == 200 else {
            throw FeedRejection("\(feed.sourceURL.absoluteString): fetch failed: HTTP \(http.statusCode)")
        }
        if let expected = http.value(forHTTPHeaderField: "Content-Length").flatMap(Int.init),
           let size = (try? FileManager.default.attributesOfItem(atPath: downloaded.path))?[.size] as? Int,
           size != expected {
            throw FeedRejection("\(feed.sourceURL.absoluteString): fetch cut off: \(size) of \(expected) bytes")
        }
        let lastModified = http.value(forHTTPHeaderField: "Last-Modified")
        // The last download's Last-Modified on other bytes: the server changes its copy without it, so that time is
        // not the copy's, and the copy keeps the time it was written. On the same bytes (`resync --full`, a server
        // that ignores the conditional GET) it is the same copy, dated by it again: stock overrides since still hold.
        let changedUnseen = lastModified != nil && lastModified == stored?.lastModified && exists
            && !FileManager.default.contentsEqual(atPath: downloaded.path, andPath: file.path)
        let modified = changedUnseen ? nil
            : Self.modificationTime(lastModified: lastModified, date: http.value(forHTTPHeaderField: "Date"),
                                    requestedAt: requestedAt)
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp")
            try? FileManager.default.removeItem(at: temporary)
            try FileManager.default.copyItem(at: downloaded, to: temporary)
            if let modified {
                try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: temporary.path)
            }
            guard rename(temporary.path, file.path) == 0 else {
                throw FeedRejection("\(file.path): \(String(cString: strerror(errno)))")
            }
        } catch let rejection as FeedRejection {
            throw rejection
        } catch {
            throw FeedRejection("\(file.path): cannot keep the download: \(error)")
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int ?? 0
        logger.info("feed.fetched", ["feed": feed.name, "bytes": bytes,
                                     "modified": modified.map(CatalogStore.timestamp) ?? "-"])
        return .changed(file, FetchValidators(etag: http.value(forHTTPHeaderField: "ETag"), lastModified: lastModified))
    }

    /// When the server's copy was last modified, by this machine's clock: the time of the request less the copy's
    /// age by the server's clock (`Date` − `Last-Modified`), so a server clock set otherwise shifts nothing; without
    /// `Date`, `Last-Modified`, never later than the request. `nil` without a `Last-Modified` it can read: the
    /// copy keeps the time it was written, as before.
    ///
    /// The kept copy is dated so, as an export's file is: stock overrides observed after the export and before the
    /// download stay newer than the feed, a copy older than the one last applied is held, and `max_age` counts from
    /// the export.
    static func modificationTime(lastModified: String?, date: String?, requestedAt: Date) -> Date? {
        guard let modified = lastModified.flatMap(HTTPDate.parse) else { return nil }
        guard let served = date.flatMap(HTTPDate.parse) else { return min(modified, requestedAt) }
        return requestedAt.addingTimeInterval(-max(0, served.timeIntervalSince(modified)))
    }
}
