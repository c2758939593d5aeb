import Foundation
import ScriptGenModel

/// The rows `| \`name\` | default | effect |` of the markdown tables in `file` (relative to the
/// repository) whose header's first cell contains `header`: name and default, in order.
public func documentedOptions(in file: String, header: String) throws -> [(name: String, defaultValue: String)] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
    var rows: [(String, String)] = []
    var inTable = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard line.hasPrefix("|"), cells.count >= 4 else {
            inTable = false
            continue
        }
        if cells[1].hasPrefix("Name") || cells[1] == "---" {
            if cells[1].hasPrefix("Name") { inTable = cells[1].contains(header) }
            continue
        }
        if inTable, cells[1].hasPrefix("`"), cells[1].hasSuffix("`") {
            rows.append((String(cells[1].dropFirst().dropLast()), cells[2]))
        }
    }
    return rows
}

/// Whether the documented default `text` states `value`: numbers compare as numbers
/// (`2000` documents 2_000 and 2000.0), switches as `true`/`false`.
public func documents(_ text: String, _ value: ParameterValue) -> Bool {
    switch value {
    case .integer(let integer): Double(text) == Double(integer)
    case .number(let number): Double(text) == number
    case .flag(let flag): text == String(flag)
    case .text(let string): text == string
    }
}

/// Checks a stage's option table against the documentation's table and the options' stored
/// properties; returns every disagreement (empty when they agree).
public func optionTableDisagreements<Options>(
    _ table: OptionTable<Options>, defaults: Options, file: String, header: String, fullNames: Bool
) throws -> [String] {
    var problems: [String] = []
    let documented = try documentedOptions(in: file, header: header)
    let names = table.fields.map { fullNames ? table.parameterName($0) : $0.name }
    for (field, name) in zip(table.fields, names) {
        guard let row = documented.first(where: { $0.name == name }) else {
            problems.append("\(file): \(name) is not documented")
            continue
        }
        if !documents(row.defaultValue, field.value(in: defaults)) {
            problems.append("\(file): \(name) documented with default \(row.defaultValue), the code's is \(field.value(in: defaults))")
        }
    }
    let prefix = fullNames ? table.stage + "." : ""
    for row in documented where row.name.hasPrefix(prefix) && !names.contains(row.name) {
        problems.append("\(file): \(row.name) is documented but is not an option")
    }
    // Every stored property is in the table: an option cannot be added without it.
    let properties = Mirror(reflecting: defaults).children.compactMap(\.label)
    for property in properties where table.field(named: property) == nil {
        problems.append("\(property) is a property of \(Options.self) without a row in its table")
    }
    if properties.count != table.fields.count {
        problems.append("\(Options.self) has \(properties.count) properties and \(table.fields.count) table rows")
    }
    return problems
}
