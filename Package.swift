// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "idbatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "idbatch", targets: ["idbatch"]),
        .library(name: "Spreadsheet", targets: ["Spreadsheet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibzip",
            pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]
        ),
        .systemLibrary(
            name: "CLibxml2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CXlsxwriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .target(
            name: "Spreadsheet",
            dependencies: ["CLibzip", "CLibxml2", "CXlsxwriter"]
        ),
        .target(
            name: "CheckInputs",
            dependencies: ["Spreadsheet", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "ProviderAPI",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "Sandbox",
            dependencies: [
                "ProviderAPI", "Spreadsheet", "CheckInputs",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Pipeline",
            dependencies: [
                "Spreadsheet", "CheckInputs", "ProviderAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FuzzTargets",
            dependencies: ["Spreadsheet", "CheckInputs"]
        ),
        .executableTarget(
            name: "idbatch-fuzz",
            dependencies: ["FuzzTargets"]
        ),
        .executableTarget(
            name: "idbatch",
            dependencies: [
                "Spreadsheet",
                "CheckInputs",
                "ProviderAPI",
                "Pipeline",
                "Sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Spreadsheet",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "idbatch-bench",
            dependencies: ["Spreadsheet", "ProviderAPI", "Sandbox"],
            path: "Benchmarks/Sources/idbatch-bench"
        ),
        .testTarget(
            name: "SpreadsheetTests",
            dependencies: ["Spreadsheet"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "CheckInputsTests",
            dependencies: ["CheckInputs", "Spreadsheet"]
        ),
        .testTarget(
            name: "ProviderAPITests",
            dependencies: [
                "ProviderAPI", "Sandbox", "Spreadsheet", "CheckInputs", "TestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "idbatchTests",
            // Depends on the executable so `swift test` builds the binary the end-to-end tests run.
            dependencies: ["idbatch", "Spreadsheet", "CheckInputs", "ProviderAPI", "Pipeline", "Sandbox", "TestSupport"]
        ),
        .testTarget(
            name: "FuzzTargetsTests",
            dependencies: ["FuzzTargets", "CheckInputs"]
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: ["Sandbox", "ProviderAPI"]
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "Sandbox", "Spreadsheet", "CheckInputs", "ProviderAPI", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
