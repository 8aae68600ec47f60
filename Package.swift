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
        .executableTarget(
            name: "idbatch",
            dependencies: [
                "Spreadsheet",
                "CheckInputs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "idbatch-bench",
            dependencies: ["Spreadsheet"],
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
            name: "idbatchTests",
            // Depends on the executable so `swift test` builds the binary the end-to-end tests run.
            dependencies: ["idbatch", "Spreadsheet", "CheckInputs"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
