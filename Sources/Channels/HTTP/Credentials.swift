#if canImport(Glibc)
import Glibc
#endif
public import Foundation

/// A secret (an API token, a signing key) that never shows up in logs, errors or descriptions.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself: put it in an `Authorization` header and nowhere else.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// Loads a channel's token: from its `token_file`, else from systemd's `$CREDENTIALS_DIRECTORY/<channel>`.
///
/// The file's content is trimmed of surrounding white space (editors add a final newline).
/// See https://systemd.io/CREDENTIALS/ (`LoadCredential=meta:/etc/catalogsync/meta.token`).
public enum Credentials {
    /// - Parameters:
    ///   - channel: the channel's name, which is also the credential's name under `$CREDENTIALS_DIRECTORY`.
    ///   - tokenFile: the configured `token_file`, already resolved against the configuration's folder.
    ///   - environment: the process environment (injectable for tests).
    /// - Throws: `CredentialError` naming the file (never its content) when none is configured, the file is
    ///   missing or unreadable, or it holds nothing but white space.
    public static func load(channel: String, tokenFile: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CredentialError) -> LoadedCredential {
        let path: String
        if let tokenFile, !tokenFile.isEmpty {
            path = tokenFile
        } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            path = URL(fileURLWithPath: directory).appendingPathComponent(channel).path
        } else {
            throw CredentialError(channel: channel, path: nil, reason: .notConfigured)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CredentialError(channel: channel, path: path,
                                  reason: errno == ENOENT ? .missing : .unreadable(String(cString: strerror(errno))))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CredentialError(channel: channel, path: path, reason: .unreadable("not a regular file"))
        }
        guard info.st_size <= 64 * 1024 else {
            throw CredentialError(channel: channel, path: path, reason: .unreadable("larger than 64 KiB"))
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CredentialError(channel: channel, path: path, reason: .unreadable("cannot be read"))
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CredentialError(channel: channel, path: path, reason: .empty) }
        guard !token.contains(where: { $0.isNewline }) else {
            throw CredentialError(channel: channel, path: path, reason: .unreadable("holds more than one line"))
        }
        return LoadedCredential(secret: Secret(token), path: path, isWorldReadable: info.st_mode & S_IROTH != 0)
    }
}

/// A token and where it came from.
public struct LoadedCredential: Sendable, CustomStringConvertible {
    public var secret: Secret
    public var path: String
    /// Other users may read the file: worth a warning (`chmod 600`), though the token still works.
    public var isWorldReadable: Bool

    public var description: String { "credential from \(path)" }
}

/// Why a channel has no token. Names the file, never its content.
public struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case notConfigured
        case missing
        case empty
        case unreadable(String)
    }

    public var channel: String
    public var path: String?
    public var reason: Reason

    public var description: String {
        switch reason {
        case .notConfigured:
            return "channel \(channel): no token: set token_file, or start under systemd with "
                + "LoadCredential=\(channel):<file> so that $CREDENTIALS_DIRECTORY/\(channel) exists"
        case .missing:
            return "channel \(channel): token file \(path ?? "?") does not exist"
        case .empty:
            return "channel \(channel): token file \(path ?? "?") is empty"
        case .unreadable(let why):
            return "channel \(channel): token file \(path ?? "?") cannot be used: \(why)"
        }
    }
}
