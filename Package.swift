// swift-tools-version: 6.0
import PackageDescription

// Layering: pure pipeline stages (no file, socket, clock or randomness access) in library
// targets; I/O only in the `scriptgen` executable. The emulation path depends on the model
// alone, never on alignment or simplification.
let package = Package(
    name: "ScriptGen",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "scriptgen", targets: ["scriptgen"]),
        // The pipeline stages as libraries, for the benchmark packages and for embedding.
        .library(name: "ScriptGenCapture", targets: ["ScriptGenCapture"]),
        .library(name: "ScriptGenFlows", targets: ["ScriptGenFlows"]),
        .library(name: "ScriptGenModel", targets: ["ScriptGenModel"]),
        .library(name: "ScriptGenAlignment", targets: ["ScriptGenAlignment"]),
        .library(name: "ScriptGenSimplifier", targets: ["ScriptGenSimplifier"]),
        .library(name: "ScriptGenEmulation", targets: ["ScriptGenEmulation"]),
        .executable(name: "scriptgen-honeypot", targets: ["scriptgen-honeypot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Stage 1a: capture files (pcap, pcapng) and link/network/transport decoding.
        .target(name: "ScriptGenCapture"),
        // Stage 1b: TCP reassembly and UDP grouping into conversations of messages.
        .target(name: "ScriptGenFlows", dependencies: ["ScriptGenCapture", "ScriptGenModel"]),
        // The model: state machines, patterns, the versioned file format. Shared by learning and serving.
        .target(name: "ScriptGenModel"),
        // Stage 2: prefix-tree state machine from conversations.
        .target(name: "ScriptGenBuilder", dependencies: ["ScriptGenFlows", "ScriptGenModel"]),
        // Stage 3a: sequence alignment, UPGMA, multiple alignment, region analysis.
        .target(name: "ScriptGenAlignment"),
        // Stage 3b: the state machine simplifier.
        .target(name: "ScriptGenSimplifier", dependencies: ["ScriptGenAlignment", "ScriptGenModel", "ScriptGenEmulation"]),
        // Stage 4: the emulation core (matching, stepping, responses). Model only.
        .target(name: "ScriptGenEmulation", dependencies: ["ScriptGenModel"]),
        // Offline evaluation: replays held-out conversations through the emulation core.
        .target(name: "ScriptGenEvaluation", dependencies: ["ScriptGenEmulation", "ScriptGenModel", "ScriptGenFlows", "ScriptGenAlignment"]),
        // The honeypot server (SwiftNIO) and the honeyd responder: serving links no learning code.
        .target(
            name: "ScriptGenServer",
            dependencies: [
                "ScriptGenEmulation", "ScriptGenModel",
                .target(name: "CEpoll", condition: .when(platforms: [.linux])),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // epoll and eventfd for the server's Linux engine (Glibc does not export them).
        .target(name: "CEpoll"),
        // The serving subcommands (serve, respond), shared by `scriptgen` and the lean
        // `scriptgen-honeypot` binary that exported honeyd scripts run.
        .target(
            name: "ScriptGenServing",
            dependencies: [
                "ScriptGenServer", "ScriptGenEmulation", "ScriptGenModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "scriptgen-honeypot",
            dependencies: ["ScriptGenServing", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // zlib, for reading .gz captures (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .executableTarget(
            name: "scriptgen",
            dependencies: [
                "ScriptGenCapture", "ScriptGenFlows", "ScriptGenModel", "ScriptGenBuilder",
                "ScriptGenAlignment", "ScriptGenSimplifier", "ScriptGenEmulation", "ScriptGenEvaluation",
                "ScriptGenServing", "CZlib",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test helpers shared by the test targets (crafted bytes, replies, patterns).
        .target(name: "ScriptGenTestSupport", dependencies: ["ScriptGenModel"], path: "Tests/ScriptGenTestSupport"),
        // Packet and capture-file writers, for crafting captures in tests (not part of Capture's API).
        .target(name: "ScriptGenCaptureTestSupport", dependencies: ["ScriptGenCapture"], path: "Tests/ScriptGenCaptureTestSupport"),
        .testTarget(name: "ScriptGenCaptureTests", dependencies: ["ScriptGenCapture", "ScriptGenCaptureTestSupport"]),
        .testTarget(name: "ScriptGenFlowsTests", dependencies: ["ScriptGenTestSupport", "ScriptGenFlows", "ScriptGenCapture", "ScriptGenModel"]),
        .testTarget(name: "ScriptGenModelTests", dependencies: ["ScriptGenTestSupport", "ScriptGenModel"]),
        .testTarget(name: "ScriptGenBuilderTests", dependencies: ["ScriptGenTestSupport", "ScriptGenBuilder", "ScriptGenFlows", "ScriptGenCapture", "ScriptGenModel"]),
        .testTarget(name: "ScriptGenAlignmentTests", dependencies: ["ScriptGenTestSupport", "ScriptGenAlignment"]),
        .testTarget(name: "ScriptGenSimplifierTests", dependencies: ["ScriptGenTestSupport", "ScriptGenSimplifier", "ScriptGenAlignment", "ScriptGenModel", "ScriptGenEmulation", "ScriptGenBuilder", "ScriptGenFlows", "ScriptGenCapture"]),
        .testTarget(name: "ScriptGenEmulationTests", dependencies: ["ScriptGenTestSupport", "ScriptGenEmulation", "ScriptGenModel"]),
        .testTarget(name: "ScriptGenEvaluationTests", dependencies: ["ScriptGenTestSupport", "ScriptGenEvaluation", "ScriptGenEmulation", "ScriptGenModel", "ScriptGenFlows", "ScriptGenCapture"]),
        .testTarget(name: "ScriptGenServerTests", dependencies: ["ScriptGenTestSupport", 
            "ScriptGenServer", "ScriptGenEmulation", "ScriptGenModel", .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Runs the built `scriptgen` binary the way a user would.
        .testTarget(name: "ScriptGenCLITests", dependencies: ["scriptgen", "scriptgen-honeypot", "ScriptGenModel", "ScriptGenTestSupport"], exclude: ["Golden"]),
    ]
)
