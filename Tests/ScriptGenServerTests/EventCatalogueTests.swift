import Foundation
import Testing
@testable import ScriptGenServer

/// docs/events.md and the enums list the same ids.
@Suite struct EventCatalogueTests {
    static let document: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/events.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The first-column `code` entries of the table under `## heading`.
    static func documented(under heading: String) -> [String] {
        var inSection = false
        var names: [String] = []
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                inSection = line == "## \(heading)"
                continue
            }
            guard inSection, line.hasPrefix("| `") else { continue }
            let rest = line.dropFirst(3)
            if let end = rest.firstIndex(of: "`") { names.append(String(rest[..<end])) }
        }
        return names
    }

    @Test func documentExists() {
        #expect(!Self.document.isEmpty)
    }

    @Test func everyEventIsDocumentedAndNothingElse() {
        let documented = Self.documented(under: "Events")
        #expect(documented == EventID.allCases.map(\.rawValue))
    }

    // The ECS table of docs/events.md is EventID.ecsCategory.
    @Test func ecsCategoriesAreDocumentedAsServed() {
        var rows: [String] = []
        var inTable = false
        for line in Self.document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("### ") { inTable = line == "### ECS categories"; continue }
            guard inTable, line.hasPrefix("| `") else { continue }
            rows.append(line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " | "))
        }
        let served = EventID.allCases.map { "`\($0.rawValue)` | \($0.ecsCategory.category) | \($0.ecsCategory.types.joined(separator: ", "))" }
        #expect(rows == served)
    }

    @Test func everyLimitIsDocumentedAndNothingElse() {
        #expect(Self.documented(under: "Limits") == ServerLimit.allCases.map(\.rawValue))
    }

    @Test func everyCloseReasonIsDocumentedAndNothingElse() {
        #expect(Self.documented(under: "Close reasons") == CloseReason.allCases.map(\.rawValue))
    }

    @Test func exampleLinesUseCatalogueIds() {
        let ids = Set(EventID.allCases.map(\.rawValue))
        let examples = Self.document.split(separator: "\n").filter { $0.hasPrefix("{\"event\"") }
        #expect(!examples.isEmpty)
        for line in examples {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "example is not JSON: \(line)")
            #expect(ids.contains(object?["event"] as? String ?? ""), "unknown id in \(line)")
        }
    }
}
