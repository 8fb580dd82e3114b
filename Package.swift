// swift-tools-version:6.1
import PackageDescription

// Layering (arrows point down only; see docs/architecture.md):
//   m2grl (CLI) -> Streaming -> Model, Kafka, Store, Linalg -> C shims
//                  Streaming -> Telemetry (Prometheus backend and endpoint; knows no pipeline)
//                  Streaming, Kafka -> EventSource (SourcePartition: offsets and clocks per source partition)
let package = Package(
    name: "m2grl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "m2grl", targets: ["m2grl"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Linalg", targets: ["Linalg"]),
        .library(name: "Model", targets: ["Model"]),
        .library(name: "Streaming", targets: ["Streaming"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.70.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // Native libraries, found through pkg-config; installed by ops/install-deps.
        .systemLibrary(
            name: "CRdKafka", pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]),
        .systemLibrary(
            name: "CRocksDB", pkgConfig: "rocksdb",
            providers: [.apt(["librocksdb-dev"]), .brew(["rocksdb"])]),
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),

        // Thin, safe Swift layers over the native libraries.
        .target(
            name: "EventSource"),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka", "EventSource",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Store",
            dependencies: ["CRocksDB"]),
        .target(
            name: "Linalg",
            dependencies: ["COpenBLAS"]),

        // Pure computation: events, sessions, graphs, walks, losses, trainer, evaluation.
        .target(
            name: "Model",
            dependencies: [
                "Linalg",
                .product(name: "Yams", package: "Yams"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // The model's files on disk: event files, pipeline files, embedding folders, walk
        // corpora (Model parses and encodes bytes; this layer opens, reads and writes files).
        .target(
            name: "ModelFiles",
            dependencies: [
                "Model",
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Composition: ingest -> graph store -> walk rings -> trainer -> publisher.
        .target(
            name: "Streaming",
            dependencies: [
                "Kafka", "EventSource", "Store", "Model", "ModelFiles", "Linalg", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),

        // Prometheus endpoint: the swift-metrics backend and a small HTTP server
        // (/metrics, /healthz, /readyz). Knows nothing of the pipeline.
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // The HTML report of a state folder (SVG charts, projections); reads, never writes, state.
        .target(
            name: "Report",
            dependencies: ["Streaming", "Store", "Model", "ModelFiles", "Linalg"]),

        .executableTarget(
            name: "m2grl",
            dependencies: [
                "Streaming", "Report", "Model", "ModelFiles", "Kafka", "Store", "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "ModelFiles", "Linalg"]),
        .testTarget(
            name: "StreamingTests",
            dependencies: [
                "Streaming", "Report", "Kafka", "Store", "Model", "ModelFiles", "Telemetry",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (docs/fuzzing.md): declared only when M2GRL_FUZZ=1, which `ops/fuzz` sets for
// its own build (libFuzzer and AddressSanitizer, scratch path .build-fuzz). The normal
// products, `swift build`, `make test` and `make demo` never see them.
if Context.environment["M2GRL_FUZZ"] == "1" {
    package.products.append(.executable(name: "m2grl-fuzz", targets: ["m2grl-fuzz"]))
    package.targets.append(
        .executableTarget(name: "m2grl-fuzz", dependencies: ["Streaming", "Model", "ModelFiles", "Kafka", "Store"], path: "Fuzz/Sources"))
}
