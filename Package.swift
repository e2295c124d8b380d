// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Trellis",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Trellis", targets: ["Trellis"]),
        .library(name: "TrellisSpec", targets: ["TrellisSpec"]),
        .library(name: "TrellisGenerator", targets: ["TrellisGenerator"]),
        .library(name: "TrellisTesting", targets: ["TrellisTesting"]),
        .executable(name: "TrellisCLI", targets: ["TrellisCLI"]),
        .plugin(name: "TrellisBuildPlugin", targets: ["TrellisBuildPlugin"]),
        .plugin(name: "TrellisCommandPlugin", targets: ["TrellisCommandPlugin"]),
        .plugin(name: "TrellisTestPlugin", targets: ["TrellisTestPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter (the default trait too) would build gRPC as well.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // Mail delivery (Sources/Trellis/Mail: SMTP over SwiftNIO with TLS, an HTTP provider API) and
        // webhook deliveries (async-http-client); all were already in the graph (postgres-nio, swift-otel).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // MARK: generator side (built in debug by the build plugin: keep it light)
        // The words the spec language and the runtime share (roles, string formats, account groups).
        .target(name: "TrellisVocabulary", swiftSettings: strict),
        // The OpenAPI building blocks the generator and the account endpoints share.
        .target(name: "TrellisOpenAPI", swiftSettings: strict),
        // The built-in account endpoints: each route defined once, mounted by the runtime and
        // described (OpenAPI) for the generator.
        .target(name: "TrellisAccountsAPI", dependencies: ["TrellisVocabulary", "TrellisOpenAPI"], swiftSettings: strict),
        .target(name: "TrellisSpec", dependencies: ["TrellisVocabulary", .product(name: "Yams", package: "Yams")], swiftSettings: strict),
        .target(
            name: "TrellisGenerator",
            dependencies: [
                "TrellisSpec",
                "TrellisAccountsAPI",
                "TrellisOpenAPI",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "TrellisCLI",
            dependencies: ["TrellisGenerator", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/trellis",
            swiftSettings: strict
        ),
        .plugin(name: "TrellisBuildPlugin", capability: .buildTool(), dependencies: ["TrellisCLI"]),
        // Applied to a test target: emits the spec tests of the specs its dependencies are built from.
        .plugin(name: "TrellisTestPlugin", capability: .buildTool(), dependencies: ["TrellisCLI"]),
        .plugin(
            name: "TrellisCommandPlugin",
            capability: .command(
                intent: .custom(verb: "trellis", description: "Generate or check the committed artifacts in generated/"),
                permissions: [.writeToPackageDirectory(reason: "Writes generated/ from specs/")]
            ),
            dependencies: ["TrellisCLI"]
        ),

        // MARK: runtime
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .target(
            name: "Trellis",
            dependencies: [
                "CArgon2",
                "TrellisVocabulary",
                "TrellisAccountsAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // For `ConnectionPoolError` (the pool's circuit breaker), which PostgresNIO throws as is.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),

        // The harness and checks the generated spec tests run on (test targets only).
        .target(
            name: "TrellisTesting",
            dependencies: [
                "Trellis",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),

        // MARK: the example app
        // specs/ is the source folder of the module the build plugin generates into, so that adding
        // or removing a spec re-plans the build (see DESIGN.md, toolchain facts).
        .target(
            name: "AppAPI",
            dependencies: ["Trellis"],
            path: "specs",
            exclude: ["README.md"],
            swiftSettings: strict,
            plugins: ["TrellisBuildPlugin"]
        ),
        .target(name: "App", dependencies: ["AppAPI", "Trellis"], swiftSettings: strict),
        .executableTarget(
            name: "Server",
            dependencies: ["App", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),

        // MARK: tests
        .testTarget(name: "TrellisSpecTests", dependencies: ["TrellisSpec"], swiftSettings: strict),
        .testTarget(
            name: "TrellisGeneratorTests",
            dependencies: ["TrellisGenerator", "TrellisAccountsAPI"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        // Test peers run as child processes (scripts/*.py servers), for TrellisTests and AppTests.
        .target(name: "TestPeers", path: "Tests/TestPeers", swiftSettings: strict),
        .testTarget(
            name: "TrellisTests",
            dependencies: [
                "Trellis", "TrellisAccountsAPI", "TrellisGenerator", "TestPeers", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // The tests the generator emits from specs/, run against the example app.
        .testTarget(
            name: "AppSpecTests",
            dependencies: ["App", "TrellisTesting"],
            swiftSettings: strict,
            plugins: ["TrellisTestPlugin"]
        ),
        // Every spec feature, compiled and run: Tests/KitchenSink is a Trellis project of its own
        // (specs/, generated/), with its generated spec tests.
        .target(
            name: "KitchenSinkAPI",
            dependencies: ["Trellis"],
            path: "Tests/KitchenSink/specs",
            swiftSettings: strict,
            plugins: ["TrellisBuildPlugin"]
        ),
        .testTarget(
            name: "KitchenSinkSpecTests",
            dependencies: ["KitchenSinkAPI", "Trellis", "TrellisTesting"],
            path: "Tests/KitchenSink/SpecTests",
            swiftSettings: strict,
            plugins: ["TrellisTestPlugin"]
        ),
        // A job worker process for AppTests' multi-process job-queue tests.
        .executableTarget(
            name: "JobProbe",
            dependencies: ["Trellis", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Tests/JobProbe",
            swiftSettings: strict
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "Server", "JobProbe", "TestPeers", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
    ]
)
