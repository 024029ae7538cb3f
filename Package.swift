// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "DataJoint",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DataJoint", targets: ["DataJoint"]),
        .library(name: "DataJointCore", targets: ["DataJointCore"]),
        .library(name: "DataJointSQLite", targets: ["DataJointSQLite"]),
        .library(name: "DataJointPostgres", targets: ["DataJointPostgres"]),
        .library(name: "DataJointMySQL", targets: ["DataJointMySQL"]),
        .library(name: "DataJointS3", targets: ["DataJointS3"]),
        .library(name: "DataJointCommand", targets: ["DataJointCommand"]),
        .library(name: "DataJointWeb", targets: ["DataJointWeb"]),
        .library(name: "DataJointMCP", targets: ["DataJointMCP"]),
        .library(name: "DataJointZarr", targets: ["DataJointZarr"]),
        .executable(name: "dj", targets: ["dj"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        // Property-based tests of the parsers and decoders (issue 18's hostile input); tests only.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // Already a dependency of async-http-client; named here for the HTTP fault-injecting proxy of the S3 tests
        // (NIOHTTP1 server in front of moto); tests only.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
    ],
    targets: [
        // The model: definitions, headings, types, query algebra, tables. Knows no driver.
        .target(
            name: "DataJointCore",
            dependencies: [
                "CZlib",
                "CLibdeflate",
                .product(name: "Logging", package: "swift-log"),
                // MD5 for the content hashes of hash-addressed storage (the reference's choice).
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The embedded SQLite driver and dialect.
        .target(
            name: "DataJointSQLite",
            dependencies: [
                "DataJointCore",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        // The PostgreSQL driver and dialect.
        .target(
            name: "DataJointPostgres",
            dependencies: [
                "DataJointCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // zlib, for the compression of DataJoint blobs (Debian package zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libdeflate, for fast deflate and inflate of large DataJoint blobs (Debian package libdeflate-dev).
        .systemLibrary(
            name: "CLibdeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // The C client library of MariaDB/MySQL (Debian package libmariadb-dev).
        .systemLibrary(
            name: "CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),
        // The MySQL/MariaDB driver and dialect.
        .target(
            name: "DataJointMySQL",
            dependencies: ["DataJointCore", "CMariaDB"]
        ),
        // The S3 object store (protocol `s3`): AWS Signature Version 4 over HTTP.
        .target(
            name: "DataJointS3",
            dependencies: [
                "DataJointCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                // The connection errors a retry tells apart (NIOCore's, NIOPosix's), as AsyncHTTPClient raises them.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // zstd, the compressor Python's zarr uses unless told otherwise (Debian package libzstd-dev).
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // The `<zarr@>` codec, a plugin codec as its own product: N-d arrays as Zarr arrays in a store
        // (`connection.register(ZarrCodec())`). gzip/zlib chunks through the core's zlib and libdeflate, zstd chunks
        // through libzstd.
        .target(
            name: "DataJointZarr",
            dependencies: ["DataJointCore", "CZlib", "CLibdeflate", "CZstd"]
        ),
        // What users import: the core plus the backends and stores, and `DataJoint.connect()`.
        .target(
            name: "DataJoint",
            dependencies: ["DataJointCore", "DataJointSQLite", "DataJointPostgres", "DataJointMySQL", "DataJointS3"]
        ),
        // The read-only web view of a pipeline (`dj serve`): HTML pages and a JSON API over the overview calls.
        .target(
            name: "DataJointWeb",
            dependencies: [
                "DataJoint",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The MCP server over a pipeline's schemas (`dj mcp`): tools for agents, a thin layer over the core overview values.
        .target(
            name: "DataJointMCP",
            dependencies: [
                "DataJoint",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The pipeline command: the `dj` commands for a user's own pipeline program (`PipelineCommand`).
        .target(
            name: "DataJointCommand",
            dependencies: [
                "DataJoint",
                "DataJointWeb",
                "DataJointMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `dj`: the pipeline command of the demo pipeline.
        .executableTarget(
            name: "dj",
            dependencies: [
                "DataJoint",
                "DataJointCommand",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The pipeline program of the README's "Running a pipeline" (Examples/LabPipeline is also a package of its own).
        .executableTarget(
            name: "lab",
            dependencies: [
                "DataJoint",
                "DataJointCommand",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/LabPipeline/Sources/lab"
        ),
        // A populate worker process for the distributed tests of DataJointTests (SIGKILL, several processes).
        .executableTarget(
            name: "dj-populate-worker",
            dependencies: ["DataJoint"],
            path: "Tests/PopulateWorker"
        ),
        // The benchmark of BENCHMARKS.md (run it with scripts/benchmark, in a release build).
        .executableTarget(
            name: "dj-benchmark",
            dependencies: ["DataJoint"],
            path: "Benchmarks/DJBenchmark"
        ),
        // What the reliability tests and `dj-reliability` write for RELIABILITY.md: one JSON line per case tried.
        .target(
            name: "ReliabilitySupport",
            path: "Tests/ReliabilitySupport"
        ),
        // The fault, load and report program of scripts/reliability (RELIABILITY.md).
        .executableTarget(
            name: "dj-reliability",
            dependencies: [
                "DataJoint",
                "ReliabilitySupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Reliability/DJReliability"
        ),
        .testTarget(
            name: "DataJointCoreTests",
            dependencies: [
                "DataJointCore",
                "ReliabilitySupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "DataJointS3Tests",
            dependencies: [
                "DataJointS3",
                "DataJointCore",
                "DataJoint",
                "ReliabilitySupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // MD5, for the ETags S3 gives multipart uploads (S3MultipartTests).
                .product(name: "Crypto", package: "swift-crypto"),
                // The fault-injecting HTTP proxy of the retry tests (S3FaultInjectingProxy.swift).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "DataJointTests",
            dependencies: [
                "DataJoint",
                "DataJointWeb",
                "DataJointZarr",
                "ReliabilitySupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Resources")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
