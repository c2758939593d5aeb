import Foundation

/// A progress line on stderr, drawn only when stderr is a terminal and at most ten times a
/// second, so piping or redirecting output gets no control characters.
final class ProgressBar {
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drewSomething = false

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    /// `done` of `total` units (bytes); `total` nil when unknown (stdin, gzip).
    func update(label: String, done: Int, total: Int?, detail: String = "") {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        var line = label
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            line += String(format: " %3.0f%%", fraction * 100)
        } else {
            line += " " + ByteCount.format(done)
        }
        if !detail.isEmpty { line += "  " + detail }
        FileHandle.standardError.write(Data(("\r\u{1b}[K" + line).utf8))
        drewSomething = true
    }

    func clear() {
        guard enabled, drewSomething else { return }
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
        drewSomething = false
    }
}

enum ByteCount {
    static func format(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
