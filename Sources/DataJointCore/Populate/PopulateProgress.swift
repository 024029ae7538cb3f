import Foundation
import Logging
import Synchronization

/// The progress of a populate: a bar with rate and time left on a terminal, a log line every few seconds
/// otherwise.
final class PopulateProgress: Sendable {
    let label: String
    let total: Int
    let logger: Logger
    let terminal: Bool
    let enabled: Bool
    private let state: Mutex<(done: Int, lastShown: Date)>
    private let start = Date()

    init(label: String, total: Int, logger: Logger, display: PopulateDisplay) {
        self.label = label
        self.total = total
        self.logger = logger
        terminal = isatty(STDERR_FILENO) == 1
        enabled = display == .automatic && total > 0
        state = Mutex((0, Date()))
    }

    func advance() {
        guard enabled else { return }
        let (done, show) = state.withLock { state -> (Int, Bool) in
            state.done += 1
            let interval = terminal ? 0.1 : 5
            let show = state.done == total || Date().timeIntervalSince(state.lastShown) >= interval
            if show { state.lastShown = Date() }
            return (state.done, show)
        }
        if show { render(done) }
    }

    func finish() {
        guard enabled, terminal else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    func render(_ done: Int) {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? 100 * done / total : 100
        let timing = String(format: "%.1f/s, %@ elapsed, %@ left", rate, Self.clock(elapsed), Self.clock(left))
        if terminal {
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) |\(bar)| \(done)/\(total) \(percent)% [\(timing)]".utf8))
        } else {
            logger.info("\(label): \(done)/\(total) (\(percent)%) [\(timing)]")
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
