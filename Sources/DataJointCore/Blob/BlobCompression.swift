import CLibdeflate
import CZlib
import Foundation

/// zlib compression of blobs (the `ZL123\0` header), read and written as Python's `zlib.compress` and
/// `zlib.decompress` read and write them.
///
/// Small blobs are deflated by zlib at its default level, as DataJoint-Python does, so that they get exactly its bytes.
/// Large blobs are deflated by libdeflate at its fastest level, once a sample of them shows that compression pays,
/// and every blob is inflated by libdeflate, several times faster than zlib; both write and read standard zlib streams.
enum BlobCompression {
    /// The zlib stream of a blob below ``BlobFormat/fastCompressionThreshold`` bytes, at zlib's default level (what
    /// Python's `zlib.compress(data)` writes).
    static func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        var bound = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = output.withUnsafeMutableBufferPointer { out in
            compress2(
                out.baseAddress!, &bound, input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count),
                Z_DEFAULT_COMPRESSION)
        }
        guard status == Z_OK else { throw DataJointError(.codec, "zlib could not compress the blob (error \(status))") }
        output.removeSubrange(Int(bound)...)
        return output
    }

    /// The compressed blob (`ZL123\0`, the length of `input` as `uint64`, a zlib stream) of a blob of at least
    /// ``BlobFormat/fastCompressionThreshold`` bytes, or nil where compression does not pay: when a sample of the
    /// blob does not shrink below ``BlobFormat/worthwhileRatio`` of its size (noise, already compressed data), or
    /// when the whole does not. The bytes are written once, into the `Data` returned.
    static func compressedBlob(_ input: UnsafeRawBufferPointer) -> Data? {
        guard let compressor = libdeflate_alloc_compressor(1) else { return nil }
        defer { libdeflate_free_compressor(compressor) }
        guard sampleShrinks(input, compressor: compressor) else { return nil }
        let header = BlobFormat.zlibHeader.count + 8
        // Not worth it unless it shrinks below the ratio; libdeflate gives up (returns 0) when it does not fit.
        let limit = Int(Double(input.count) * BlobFormat.worthwhileRatio)
        let capacity = header + limit
        guard let base = malloc(capacity) else { return nil }
        let body = libdeflate_zlib_compress(compressor, input.baseAddress, input.count, base + header, limit)
        guard body > 0 else {
            free(base)
            return nil
        }
        BlobFormat.zlibHeader.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        withUnsafeBytes(of: UInt64(input.count).littleEndian) {
            (base + BlobFormat.zlibHeader.count).copyMemory(from: $0.baseAddress!, byteCount: 8)
        }
        return Data(bytesNoCopy: base, count: header + body, deallocator: .free)
    }

    /// Whether evenly spaced pieces of `input` (``BlobFormat/samplePieces`` of ``BlobFormat/samplePieceSize``
    /// bytes) deflate below ``BlobFormat/worthwhileRatio`` of their size together: a cheap estimate of what the
    /// whole blob does, so that data that barely compresses (float noise, compressed media) is not deflated for nothing.
    static func sampleShrinks(_ input: UnsafeRawBufferPointer, compressor: OpaquePointer) -> Bool {
        let pieces = BlobFormat.samplePieces
        let size = BlobFormat.samplePieceSize
        guard input.count >= 4 * pieces * size, let base = input.baseAddress else { return true }
        let room = 2 * size
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: room, alignment: 16)
        defer { scratch.deallocate() }
        var compressed = 0
        let stride = (input.count - size) / (pieces - 1)
        for piece in 0..<pieces {
            let n = libdeflate_zlib_compress(compressor, base + piece * stride, size, scratch, room)
            compressed += n > 0 ? n : size
        }
        return Double(compressed) < Double(pieces * size) * BlobFormat.worthwhileRatio
    }

    /// Inflates the zlib stream in `input`, which must give exactly `expectedSize` bytes. Bytes after the end of the
    /// stream are ignored, as Python's `zlib.decompress` ignores them.
    ///
    /// libdeflate inflates into a buffer of the declared size, allocated once, when that size is one deflate can
    /// produce from the input (at most 1032 bytes per input byte): so a header that declares an absurd size costs
    /// nothing. Data it rejects are inflated again by zlib to say precisely what is wrong with them.
    ///
    /// The inflated bytes start 3 bytes past an 8-byte boundary, so that the elements of an array at the top of the
    /// blob (29 + 8 bytes per further dimension after the protocol header) are 8-byte aligned, and the array can
    /// keep them where they are (see `BlobReader.owner`).
    static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int, headerOffset: Int) throws -> Data {
        let (limit, overflow) = input.count.multipliedReportingOverflow(by: 1032)
        if expectedSize > 0, overflow || expectedSize <= limit + 64, let decompressor = libdeflate_alloc_decompressor() {
            defer { libdeflate_free_decompressor(decompressor) }
            if let base = malloc(expectedSize + 8) {
                let output = base + 3
                var consumed = 0
                var produced = 0
                let result = libdeflate_zlib_decompress_ex(
                    decompressor, input.baseAddress, input.count, output, expectedSize, &consumed, &produced)
                if result == LIBDEFLATE_SUCCESS, produced == expectedSize {
                    return Data(bytesNoCopy: output, count: expectedSize, deallocator: .custom { output, _ in free(output - 3) })
                }
                free(base)
            }
        }
        return try inflateWithZlib(input, expectedSize: expectedSize, headerOffset: headerOffset)
    }

    /// Inflates with zlib, growing the output with the data actually produced and saying precisely where a corrupt or
    /// truncated stream fails.
    private static func inflateWithZlib(_ input: UnsafeRawBufferPointer, expectedSize: Int, headerOffset: Int) throws -> Data {
        func failure(_ message: String) -> DataJointError {
            DataJointError(.codec, "Invalid blob: the zlib data at byte offset \(headerOffset) \(message)")
        }
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw failure("cannot be inflated: zlib failed to initialize")
        }
        defer { inflateEnd(&stream) }
        var output = Data(count: min(expectedSize, max(4096, input.count.multipliedReportingOverflow(by: 4).partialValue)))
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(clamping: input.count)
        while true {
            if produced == output.count {
                // Room for at least one more byte, so that data beyond the declared size is detected.
                let grown = min(max(output.count * 2, 4096), expectedSize &+ 1)
                if grown <= output.count { throw failure("inflates to more than the declared \(expectedSize) bytes") }
                output.count = grown
            }
            let before = stream.total_out
            let status: Int32 = output.withUnsafeMutableBytes { raw in
                stream.next_out = raw.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                stream.avail_out = uInt(clamping: raw.count - produced)
                return inflate(&stream, Z_NO_FLUSH)
            }
            produced += Int(stream.total_out - before)
            if stream.avail_in == 0, Int(stream.total_in) < input.count {
                // Feed the next piece of input when it is larger than uInt can describe.
                let consumed = Int(stream.total_in)
                stream.next_in = UnsafeMutablePointer(
                    mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self).advanced(by: consumed))
                stream.avail_in = uInt(clamping: input.count - consumed)
            }
            if produced > expectedSize { throw failure("inflates to more than the declared \(expectedSize) bytes") }
            switch status {
            case Z_STREAM_END:
                guard produced == expectedSize else {
                    throw failure("inflates to \(produced) bytes, but the header declares \(expectedSize)")
                }
                output.count = produced
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_out > 0:
                throw failure("is truncated: the zlib stream ends after \(produced) bytes without its end marker")
            case Z_BUF_ERROR:
                continue
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw failure("is corrupt (\(reason)) after \(produced) inflated bytes")
            }
        }
    }
}
