// swift-tools-version: 6.0
import PackageDescription

// Benchmarks for the alignment stage. A package of its own so the root `swift build` never
// builds it. The root package exports no library for ScriptGenAlignment, so its sources are
// compiled here through a symbolic link (Sources/ScriptGenAlignment -> the root's folder):
// the benchmark always measures the code in this checkout.
let package = Package(
    name: "AlignmentBenchmark",
    platforms: [.macOS(.v13)],
    targets: [
        .target(name: "ScriptGenAlignment"),
        // A plain C scalar Needleman-Wunsch, the speed reference of issue 4.
        .target(name: "CScalarReference"),
        .executableTarget(name: "AlignmentBenchmark", dependencies: ["ScriptGenAlignment", "CScalarReference"]),
    ]
)
