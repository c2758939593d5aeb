// swift-tools-version: 6.0
import PackageDescription

// Benchmark tooling, kept out of the root package so `swift build` never builds it.
let package = Package(
    name: "CaptureBenchmark",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "replicate-capture",
            dependencies: [.product(name: "ScriptGenCapture", package: "ScriptGen")],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
    ]
)
