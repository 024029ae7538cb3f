import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// Helpers of the fuzz tests: generators of mutated inputs, and feeding one input to a parser while counting what it
/// did. Set `DJ_FUZZ_TRACE=1` to print every input before it is fed: when a trap kills the test process, the last
/// line printed is the input that caused it.
enum Fuzz {
    static let tracing = ProcessInfo.processInfo.environment["DJ_FUZZ_TRACE"].map { !$0.isEmpty } ?? false

    /// An input that takes longer than this is reported as a hang.
    static let slowInput: Duration = .seconds(5)

    static func trace(_ input: () -> String) {
        guard tracing else { return }
        FileHandle.standardError.write(Data(("fuzz input: " + input() + "\n").utf8))
    }

    /// Mutated seeds, each from the generator's own random state, so that a failing input is reproduced by the seed
    /// that propertyCheck prints.
    static func mutations(_ mutator: FuzzMutator) -> Generator<[UInt8], Shrink.None<[UInt8]>> {
        Generator { rng in mutator.mutated(using: &rng) }
    }

    /// Mutated text seeds, as text (invalid UTF-8 decoded with replacement characters).
    static func textMutations(_ mutator: FuzzMutator) -> Generator<String, Shrink.None<String>> {
        Generator { rng in String(decoding: mutator.mutated(using: &rng), as: UTF8.self) }
    }

    /// Strings of `1...maxPieces` pieces drawn from `alphabet`: tokens of a language, so that random text reaches
    /// deep into a parser instead of failing at its first character.
    static func tokenStrings(_ alphabet: [String], maxPieces: Int = 40) -> Generator<String, Shrink.None<String>> {
        Generator { rng in
            (0..<Int.random(in: 0...maxPieces, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
                .joined()
        }
    }

    /// The first bytes of `bytes` in hex, for messages.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        let shown = bytes.prefix(2048).map { String(format: "%02x", $0) }.joined()
        return bytes.count > 2048 ? shown + "... (\(bytes.count) bytes)" : shown
    }
}

extension FuzzTally {
    /// Feeds one input to `body`: counts it as accepted, or refused with the kind of the `DataJointError` thrown.
    /// Any other error, a `DataJointError` without a message or of a kind not in `kinds`, and an input that takes
    /// longer than ``Fuzz/slowInput`` are issues that show the input.
    @discardableResult
    mutating func feed<T>(
        _ input: @autoclosure () -> String, kinds: Set<DataJointError.Kind>? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
    ) -> T? {
        Fuzz.trace(input)
        let clock = ContinuousClock()
        let start = clock.now
        defer { checkTime(clock.now - start, input, sourceLocation) }
        do {
            let result = try body()
            accept()
            return result
        } catch {
            count(error, input, kinds: kinds, sourceLocation)
            return nil
        }
    }

    /// ``feed(_:kinds:sourceLocation:_:)`` for async work.
    @discardableResult
    mutating func feed<T>(
        _ input: @autoclosure () -> String, kinds: Set<DataJointError.Kind>? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async -> T? {
        Fuzz.trace(input)
        let clock = ContinuousClock()
        let start = clock.now
        defer { checkTime(clock.now - start, input, sourceLocation) }
        do {
            let result = try await body()
            accept()
            return result
        } catch {
            count(error, input, kinds: kinds, sourceLocation)
            return nil
        }
    }

    private mutating func count(
        _ error: any Error, _ input: () -> String, kinds: Set<DataJointError.Kind>?, _ sourceLocation: SourceLocation
    ) {
        guard let error = error as? DataJointError else {
            fail()
            Issue.record("\(type(of: error)) escaped instead of a DataJointError: \(error)\ninput: \(input())", sourceLocation: sourceLocation)
            return
        }
        if error.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            fail()
            Issue.record("a DataJointError (\(error.kind)) without a message\ninput: \(input())", sourceLocation: sourceLocation)
        } else if let kinds, !kinds.contains(error.kind) {
            fail()
            Issue.record("a DataJointError of kind \(error.kind), expected \(kinds): \(error.message)\ninput: \(input())", sourceLocation: sourceLocation)
        } else {
            refuse(kind: "DataJointError.\(error.kind.rawValue)")
        }
    }

    private func checkTime(_ elapsed: Duration, _ input: () -> String, _ sourceLocation: SourceLocation) {
        if elapsed > Fuzz.slowInput {
            Issue.record("an input took \(elapsed) (a hang?)\ninput: \(input())", sourceLocation: sourceLocation)
        }
    }
}
