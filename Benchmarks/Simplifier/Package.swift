// swift-tools-version: 6.0
import Foundation
import PackageDescription

// A path dependency's identity is its folder name (`main`, a worktree's name, ...).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let rootPackage = root.lastPathComponent.lowercased()

// Benchmark of the State Machine Simplifier (issue 4). A package of its own so the root
// `swift build` never builds it; it depends on the root package by path, so it always
// measures the code in this checkout.
let package = Package(
    name: "SimplifierBenchmark",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "SimplifierBenchmark",
            dependencies: [
                .product(name: "ScriptGenSimplifier", package: rootPackage),
                .product(name: "ScriptGenModel", package: rootPackage),
            ]
        ),
    ]
)
