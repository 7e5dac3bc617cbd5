import Channels

extension SyncJob {
    /// The adapter for a channel, with its credentials read now (so a fixed token file needs no restart).
    func makeAdapter(_ channel: ChannelConfig) throws(ChannelSetupError) -> any ChannelAdapter {
        guard let platform = channel.platform else {
            return FileChannel(name: channel.name, folder: channel.path!, maxBatchSize: channel.batchSize)
        }
        do {
            let token = try Credentials.load(channel: channel.name, tokenFile: platform.tokenFile)
            if token.isWorldReadable {
                logger.warning("credential.world_readable", ["channel": channel.name, "file": token.path,
                                                             "hint": "chmod 600"])
            }
            var secret: Secret?
            if let file = platform.secretFile {
                secret = try Credentials.load(channel: channel.name, tokenFile: file).secret
            }
            let settings = PlatformSettings(
                name: channel.name, baseURL: platform.baseURL, token: token.secret, batchSize: channel.batchSize,
                requestsPerSecond: platform.rate, country: platform.country, language: platform.language,
                catalogID: platform.catalogID, merchantID: platform.merchantID, dataSource: platform.dataSource,
                feedLabel: platform.feedLabel, contentLanguage: platform.contentLanguage,
                adAccountID: platform.adAccountID, signingSecret: secret,
                pollIntervalSeconds: platform.pollIntervalSeconds,
                unconfirmedAfterSeconds: platform.unconfirmedAfterSeconds)
            let transport = settings.makeTransport()
            switch channel.type {
            case .file: throw ChannelSetupError(message: "unreachable")
            case .meta: return try MetaChannel(settings: settings, transport: transport)
            case .google: return try GoogleChannel(settings: settings, transport: transport)
            case .pinterest: return PinterestChannel(settings: settings, transport: transport)
            case .webhook: return WebhookChannel(settings: settings, transport: transport)
            }
        } catch let error as ChannelSetupError {
            throw error
        } catch {
            throw ChannelSetupError(message: "channel \(channel.name): \(error)")
        }
    }
}

/// A channel that cannot be set up (its token file is missing, say): named in the run's summary and log.
public struct ChannelSetupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
