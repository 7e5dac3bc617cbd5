// swift-tools-version:6.0
import PackageDescription

// No package dependencies: only the toolchain and the system libraries libsqlite3 and libxml2.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "catalogsync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "catalogsync", targets: ["catalogsync"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),

        .target(name: "Catalog", swiftSettings: settings),
        .target(name: "Feeds", dependencies: ["Catalog", "CLibXML2"], swiftSettings: settings),
        .target(name: "Store", dependencies: ["Catalog", "CSQLite"], swiftSettings: settings),
        .target(name: "Reconcile", dependencies: ["Catalog"], swiftSettings: settings),
        .target(name: "Channels", dependencies: ["Catalog"], swiftSettings: settings),
        .target(name: "Daemon", dependencies: ["Catalog", "Feeds", "Store", "Reconcile", "Channels"],
                swiftSettings: settings),
        .target(name: "Sandbox", swiftSettings: settings),
        .executableTarget(name: "catalogsync", dependencies: ["Daemon", "Catalog", "Feeds", "Store", "Channels", "Sandbox"],
                          swiftSettings: settings),
        .executableTarget(name: "feeds-read-bench", dependencies: ["Catalog", "Feeds"], path: "Benchmarks/feeds-read-bench",
                          swiftSettings: settings),
        .executableTarget(name: "catalogsync-bench", dependencies: ["catalogsync"], path: "Benchmarks/catalogsync-bench",
                          swiftSettings: settings),

        .testTarget(name: "CatalogTests", dependencies: ["Catalog"], swiftSettings: settings),
        .testTarget(name: "FeedsTests", dependencies: ["Feeds"], swiftSettings: settings),
        .testTarget(name: "StoreTests", dependencies: ["Store"], swiftSettings: settings),
        .testTarget(name: "ReconcileTests", dependencies: ["Reconcile"], swiftSettings: settings),
        .testTarget(name: "ChannelsTests", dependencies: ["Channels"], swiftSettings: settings),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon"], swiftSettings: settings),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"], swiftSettings: settings),
        .testTarget(name: "IntegrationTests", dependencies: ["catalogsync", "Store"], swiftSettings: settings),
    ]
)
