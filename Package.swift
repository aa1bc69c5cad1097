// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cutover",
    products: [
        .executable(name: "cutover", targets: ["cutover"]),
        .library(name: "CutoverKit", targets: ["CutoverKit"]),
    ],
    dependencies: [
        // The command line only: subcommands, options, generated --help.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 of every input file: the manifest's key, and the check that `cutover show`
        // prints the bytes that were ingested.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "CutoverKit",
            dependencies: ["CSQLite", "CZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "cutover",
            dependencies: [
                "CutoverKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "CutoverKitTests",
            dependencies: ["CutoverKit"],
            exclude: ["Fixtures", "Goldens"]
        ),
    ]
)
