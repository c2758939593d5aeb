// swift-tools-version: 6.0
import PackageDescription

// Benchmark tooling, kept out of the root package so `swift build` never builds it. The
// capture module's sources are linked in (Sources/ScriptGenCapture and
// Sources/ScriptGenCaptureTestSupport are symbolic links), so the
// root package's folder name does not matter.
let package = Package(
    name: "CaptureBenchmark",
    targets: [
        .target(name: "ScriptGenCapture", swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // The pcap writer lives with the tests' capture support (also a symbolic link).
        .target(name: "ScriptGenCaptureTestSupport", dependencies: ["ScriptGenCapture"], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .executableTarget(
            name: "replicate-capture",
            dependencies: ["ScriptGenCapture", "ScriptGenCaptureTestSupport"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
    ]
)
