// swift-tools-version:6.0
import PackageDescription

// Layout follows ../shared/DESIGN.md: the engines (Domain, Audio, Speech, Intelligence) never
// import Vapor or Fluent; Fluent stays inside ParleyStore; Vapor inside ParleyServer.
//
// PARLEY_ENGINES_ONLY=1 builds just the engines, their tests and the engine commands of the
// `parley` executable, without Vapor and Fluent: minutes faster when working on an engine.
let enginesOnly = Context.environment["PARLEY_ENGINES_ONLY"] == "1"

var dependencies: [Package.Dependency] = [
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    // Already in the graph through AsyncHTTPClient; named for ParleySpeech's WebSockets and the tests' local servers.
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
]

var targets: [Target] = [
    .target(name: "ParleyDomain"),
    // The audio math (spectra, pitch, diarisation) is compiled optimised in debug builds too: the
    // tests feed it minutes of synthesised speech, and unoptimised it starved the suite's servers.
    .target(name: "ParleyAudio", dependencies: ["ParleyDomain"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    // C libraries of the embedded speech engines (Debian: libespeak-ng-dev, libmp3lame-dev).
    .systemLibrary(name: "CEspeakNG", path: "Sources/CEspeakNG", providers: [.apt(["libespeak-ng-dev"])]),
    .systemLibrary(name: "CLame", path: "Sources/CLame", providers: [.apt(["libmp3lame-dev"])]),
    .target(
        name: "ParleySpeech",
        dependencies: [
            "ParleyDomain", "ParleyAudio", "CEspeakNG", "CLame",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]
    ),
    .target(
        name: "ParleyIntelligence",
        dependencies: [
            "ParleyDomain",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ],
        // Trained weights: the term model (`parley train-signals`) and the heads over the sentence
        // encoder (`parley train-signals --encoder embedded`).
        resources: [.copy("Resources/signal-model.json"), .copy("Resources/encoder-signal-model.json")]
    ),
    // Session reports as CSV and as PDF drawn with cairo (Debian: libcairo2-dev).
    .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
    .target(name: "ParleyReports", dependencies: ["ParleyDomain", "CCairo"]),
    // The application: use cases over the domain's ports and the engines, free of Vapor and Fluent.
    .target(name: "ParleyCore", dependencies: ["ParleyDomain", "ParleyAudio", "ParleySpeech", "ParleyIntelligence"]),
    .testTarget(name: "ParleyDomainTests", dependencies: ["ParleyDomain"]),
    // The audio tests make speech with ParleySpeech's espeak-ng, the one owner of its global state.
    .testTarget(name: "ParleyAudioTests", dependencies: ["ParleyAudio", "ParleySpeech", "ParleyDomain"]),
    .testTarget(name: "ParleySpeechTests", dependencies: ["ParleySpeech"]),
    .testTarget(name: "ParleyReportsTests", dependencies: ["ParleyReports"]),
    .testTarget(
        name: "ParleyIntelligenceTests",
        dependencies: [
            // ParleySpeech: the drill tests speak with espeak-ng and recognise with embedded Whisper.
            "ParleyIntelligence", "ParleySpeech",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ],
        exclude: ["Fixtures"]
    ),
]

var executableDependencies: [Target.Dependency] = [
    "ParleyDomain", "ParleyAudio", "ParleySpeech", "ParleyIntelligence", "ParleyReports",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

if !enginesOnly {
    dependencies += [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/jwt.git", from: "5.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ]
    targets += [
        .target(
            name: "ParleyStore",
            dependencies: [
                "ParleyDomain",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ]
        ),
        .target(
            name: "ParleyServer",
            dependencies: [
                "ParleyDomain", "ParleyAudio", "ParleySpeech", "ParleyIntelligence", "ParleyReports", "ParleyCore", "ParleyStore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "JWT", package: "jwt"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "ParleyTestSupport",
            dependencies: [
                "ParleyServer", "ParleyDomain", "ParleyStore", "ParleyAudio", "ParleySpeech",
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "ParleyStoreTests",
            dependencies: [
                "ParleyStore", "ParleyDomain",
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ]
        ),
        .testTarget(name: "ParleyServerTests", dependencies: ["ParleyServer", "ParleyTestSupport", "ParleyDomain", "ParleyIntelligence", "ParleyStore", "ParleyCore", "ParleyAudio",
                                                        .product(name: "JWT", package: "jwt")], exclude: ["Fixtures", "Golden"]),
    ]
    executableDependencies.append("ParleyServer")
}

targets.append(.executableTarget(name: "parley", dependencies: executableDependencies))

let package = Package(
    name: "parley",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "parley", targets: ["parley"]),
        .library(name: "ParleyDomain", targets: ["ParleyDomain"]),
        .library(name: "ParleyAudio", targets: ["ParleyAudio"]),
        .library(name: "ParleySpeech", targets: ["ParleySpeech"]),
        .library(name: "ParleyIntelligence", targets: ["ParleyIntelligence"]),
        .library(name: "ParleyReports", targets: ["ParleyReports"]),
    ],
    dependencies: dependencies,
    targets: targets,
    swiftLanguageModes: [.v6]
)
