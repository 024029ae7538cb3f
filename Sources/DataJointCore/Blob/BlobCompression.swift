import CZlib
import Foundation

/// zlib compression of blobs (the `ZL123\0` header), as Python's `zlib.compress` and `zlib.decompress` do it.
enum BlobCompression {
    /// The zlib stream of `input`: at the default level (what Python's `zlib.compress(data)` writes) below
    /// ``BlobFormat/fastCompressionThreshold`` bytes, at the fastest level from there on. Either is read by any zlib.
    static func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        let level = input.count >= BlobFormat.fastCompressionThreshold ? Z_BEST_SPEED : Z_DEFAULT_COMPRESSION
        var bound = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = output.withUnsafeMutableBufferPointer { out in
            compress2(
                out.baseAddress!, &bound, input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count),
                level)
        }
        guard status == Z_OK else { throw DataJointError(.codec, "zlib could not compress the blob (error \(status))") }
        output.removeSubrange(Int(bound)...)
        return output
    }

    /// Inflates the zlib stream in `input`, which must give exactly `expectedSize` bytes. Memory grows with the data
    /// actually produced, so a header that declares an absurd size costs nothing. Bytes after the end of the stream
    /// are ignored, as Python's `zlib.decompress` ignores them.
    static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int, headerOffset: Int) throws -> Data {
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
