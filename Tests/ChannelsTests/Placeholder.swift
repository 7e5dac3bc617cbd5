import Testing
@testable import Channels
