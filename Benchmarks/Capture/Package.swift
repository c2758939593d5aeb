// swift-tools-version: 6.0
import PackageDescription

// Benchmark tooling, kept out of the root package so `swift build` never builds it. The
// capture module's sources are linked in (Sources/ScriptGenCapture is a symbolic link), so the
// root package's folder name does not matter.
let package = Package(
    name: "CaptureBenchmark",
    targets: [
        .target(name: "ScriptGenCapture", swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .executableTarget(
            name: "replicate-capture",
            dependencies: ["ScriptGenCapture"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
    ]
)
