import Foundation
import Testing
@testable import Channels

@Suite struct CredentialsTests {
    let token = "s3cr3t-T0KEN-value"

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func tokenFileIsReadAndTrimmed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("meta.token")
        try Data("  \(token)\n\n".utf8).write(to: file)
        let loaded = try Credentials.load(channel: "meta", tokenFile: file.path, environment: [:])
        #expect(loaded.secret.value == token)
        #expect(loaded.path == file.path)
    }

    @Test func systemdCredentialsDirectoryIsUsedWithoutATokenFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(token.utf8).write(to: folder.appendingPathComponent("google"))
        let loaded = try Credentials.load(channel: "google", tokenFile: nil,
                                          environment: ["CREDENTIALS_DIRECTORY": folder.path])
        #expect(loaded.secret.value == token)
    }

    @Test func aMissingFileIsNamedInTheError() throws {
        let error = #expect(throws: CredentialError.self) {
            try Credentials.load(channel: "meta", tokenFile: "/nonexistent/meta.token", environment: [:])
        }
        #expect(error?.reason == .missing)
        #expect(error?.description == "channel meta: token file /nonexistent/meta.token does not exist")
    }

    @Test func anEmptyFileIsAnError() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("t")
        try Data(" \n".utf8).write(to: file)
        let error = #expect(throws: CredentialError.self) {
            try Credentials.load(channel: "meta", tokenFile: file.path, environment: [:])
        }
        #expect(error?.reason == .empty)
        #expect(error?.description.contains(file.path) == true)
    }

    @Test func noSourceAtAllExplainsBothWays() {
        let error = #expect(throws: CredentialError.self) {
            try Credentials.load(channel: "pins", tokenFile: nil, environment: [:])
        }
        #expect(error?.description.contains("token_file") == true)
        #expect(error?.description.contains("LoadCredential=pins") == true)
    }

    @Test func worldReadableFilesAreFlagged() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("t")
        try Data(token.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(try Credentials.load(channel: "m", tokenFile: file.path, environment: [:]).isWorldReadable)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(try !Credentials.load(channel: "m", tokenFile: file.path, environment: [:]).isWorldReadable)
    }

    @Test func theTokenAppearsInNoDescription() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("t")
        try Data(token.utf8).write(to: file)
        let loaded = try Credentials.load(channel: "meta", tokenFile: file.path, environment: [:])
        var settings = Fixture.settings("meta")
        settings.token = loaded.secret
        // A server that echoes the Authorization header back in its error body.
        let transport = FakeTransport { request, _ in
            .json(401, #"{"error":{"message":"bad token \#(request.value(forHTTPHeaderField: "Authorization")!)"}}"#)
        }
        let channel = try MetaChannel(settings: settings, transport: transport, retry: Fixture.retry(ManualTime()))
        let error = await #expect(throws: ChannelError.self) { try await channel.push([Fixture.delta(.create)]) }
        #expect(transport.requests.first?.value(forHTTPHeaderField: "Authorization") == "Bearer \(token)")
        let texts = [
            "\(loaded)", "\(loaded.secret)", String(reflecting: loaded.secret), "\(settings)",
            "\(error.map { "\($0)" } ?? "")", error?.message ?? "", error?.responseBody ?? "", String(reflecting: error),
        ]
        for text in texts { #expect(!text.contains(token), "\(text)") }
        #expect(error?.disposition == .fatal)
        #expect(error?.message.contains("<redacted>") == true)
    }
}
