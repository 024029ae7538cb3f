import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// The blob decoder against generated values and damaged blobs: it gives back what was encoded, and refuses anything
/// else with a `.codec` error, without trapping or allocating what the bytes cannot back.
@Suite("Fuzz: blob decoder")
struct FuzzBlobDecoderTests {
    /// Seeds: the reference's vectors (both protocols, compressed and not) and blobs of generated values.
    static let mutator: FuzzMutator = {
        var seeds = BlobTestSupport.vectors.map { [UInt8]($0.bytes) }.filter { $0.count <= 4096 }
        var random = BlobRandomValues(seed: 2026)
        for i in 0..<40 {
            if let blob = try? BlobEncoder(compress: i % 4 == 0).encode(random.value(depth: 3)) { seeds.append([UInt8](blob)) }
        }
        let tokens: [[UInt8]] = [
            BlobFormat.mYmHeader, BlobFormat.dj0Header, BlobFormat.zlibHeader,
            [0x41], [0x53], [0x43], [0x46], [0x02], [0x04], [0x05], [0x0A], [0x64], [0x74], [0x75], [0xFF],
            [0x06, 0, 0, 0], [0x05, 0, 0, 0], [0x04, 0, 0, 0], [0x0C, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0],
        ].map { [UInt8]($0) }
        return FuzzMutator(seeds: seeds, tokens: tokens, maximumLength: 1 << 15)
    }()

    @Test("damaged blobs decode or are refused with a codec error")
    func mutatedBlobs() async {
        var tally = FuzzTally()
        var tally32 = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 3000), input: Fuzz.mutations(Self.mutator)) { bytes in
            // Also read as MATLAB's 32-bit dimensions, which the reference reads for blobs written by mym.
            tally32.feed(Fuzz.hex(bytes), kinds: [.codec]) { try BlobDecoder(uses32BitDimensions: true).decode(Data(bytes)) }
            let value = tally.feed(Fuzz.hex(bytes), kinds: [.codec]) { try BlobDecoder().decode(Data(bytes)) }
            // Whatever decodes can be encoded again, or is refused with a DataJointError, and read as Swift types.
            if let value {
                var again = FuzzTally()
                again.feed("re-encoding the value of \(Fuzz.hex(bytes))") { try BlobEncoder(compress: false).encode(value) }
                #expect(again.wrong == 0)
                Self.readAsSwiftTypes(value)
            }
        }
        tally.record("blob decoder: mutated blobs (reference vectors and generated values)", accepted: "decoded")
        tally32.record("blob decoder with 32-bit dimensions: mutated blobs", accepted: "decoded")
    }

    /// Reads a decoded value as each kind of Swift type a fetch can ask for; a value that does not convert gives nil.
    static func readAsSwiftTypes(_ value: BlobValue) {
        _ = (Int(blobValue: value), Int8(blobValue: value), UInt64(blobValue: value), BigInteger(blobValue: value))
        _ = (Double(blobValue: value), Float(blobValue: value), ComplexNumber<Float>(blobValue: value), Bool(blobValue: value))
        _ = (String(blobValue: value), Data(blobValue: value), UUID(blobValue: value), Decimal(blobValue: value))
        _ = (CalendarDate(blobValue: value), DateTime(blobValue: value), TimeOfDay(blobValue: value), Date(blobValue: value))
        _ = (NDArray(blobValue: value), MatStruct(blobValue: value), MatCell(blobValue: value), RecordArray(blobValue: value))
        _ = ([Double](blobValue: value), [Int32?](blobValue: value), [String: [UInt8]](blobValue: value))
        if case .array(let array) = value { _ = (array.description, array.elements.count) }
    }

    @Test("generated values round-trip through the blob format")
    func roundTrip() async {
        var tally = FuzzTally()
        let values = Generator { rng in BlobRandomValues(seed: rng.next()) }
        await propertyCheck(count: ReliabilityLog.iterations(standard: 400), input: values, Gen.bool) { random, compress in
            var random = random
            let value = random.value(depth: 3)
            let back = tally.feed("\(value)") { try BlobDecoder().decode(try BlobEncoder(compress: compress).encode(value)) }
            guard let back else {
                Issue.record("a generated value was refused: \(value)")
                return
            }
            #expect(back == BlobTestSupport.roundTripped(value), "\(value)")
        }
        #expect(tally.accepted == tally.tried)
        tally.record("blob format: generated values encoded and decoded", accepted: "round-tripped")
    }

    @Test("random bytes after a blob header decode or are refused with a codec error")
    func randomBodies() async {
        var tally = FuzzTally()
        let headers = [BlobFormat.mYmHeader, BlobFormat.dj0Header, BlobFormat.zlibHeader].map { [UInt8]($0) }
        let blobs = Generator { rng in
            var bytes = headers[Int.random(in: 0..<headers.count, using: &rng)]
            for _ in 0..<Int.random(in: 0...48, using: &rng) {
                // Small numbers are likelier, so that sizes and codes sometimes fit.
                bytes.append(Bool.random(using: &rng) ? UInt8.random(in: 0...6, using: &rng) : UInt8.random(in: 0...255, using: &rng))
            }
            return bytes
        }
        await propertyCheck(count: ReliabilityLog.iterations(standard: 3000), input: blobs) { bytes in
            tally.feed(Fuzz.hex(bytes), kinds: [.codec]) { try BlobDecoder().decode(Data(bytes)) }
        }
        tally.record("blob decoder: random bytes after each protocol's header", accepted: "decoded")
    }
}
