import Foundation

/// How many cores this process may use, read once: `ProcessInfo.activeProcessorCount` reads the cgroup files
/// under /proc on every call (tens of microseconds), too slow for a per-insert or per-fetch decision.
enum ProcessorCount {
    static let active = max(1, ProcessInfo.processInfo.activeProcessorCount)
}
