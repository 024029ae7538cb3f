import CLibdeflate
import CZlib
import CZstd
import DataJointCore
import Foundation

/// How the chunks of a Zarr array are compressed: not at all, with deflate in a gzip or a zlib wrapper, or with zstd
/// (what Python's zarr writes unless told otherwise).
///
/// These are the compressors this module reads and writes. Arrays compressed otherwise (blosc, lz4, ...) are
/// refused with a `DataJointError` that names the compressor.
public enum ZarrCompression: Sendable, Hashable, CustomStringConvertible {
    /// Chunks stored as they are.
    case none
    /// gzip (RFC 1952): Zarr v3's `gzip` codec, numcodecs' `gzip` compressor of Zarr v2. `level` 0 to 9
    /// (Python's zarr uses 5).
    case gzip(level: Int)
    /// zlib (RFC 1950): numcodecs' `zlib` compressor of Zarr v2, `numcodecs.zlib` in Zarr v3. `level` 0 to 9.
    case zlib(level: Int)
    /// zstd (RFC 8878): Zarr v3's `zstd` codec, numcodecs' `zstd` compressor of Zarr v2. `level` -131072 to 22
    /// (0: zstd's default, 3); `checksum` adds a checksum of the content to each chunk.
    case zstd(level: Int, checksum: Bool)

    public var description: String {
        switch self {
        case .none: "none"
        case .gzip(let level): "gzip(level: \(level))"
        case .zlib(let level): "zlib(level: \(level))"
        case .zstd(let level, let checksum): "zstd(level: \(level)\(checksum ? ", checksum" : ""))"
        }
    }

    /// The compressed bytes of a chunk.
    func compress(_ data: Data) throws -> Data {
        let (level, gzip): (Int, Bool)
        switch self {
        case .none: return data
        case .gzip(let l): (level, gzip) = (l, true)
        case .zlib(let l): (level, gzip) = (l, false)
        case .zstd(let l, let checksum): return try Self.zstdCompress(data, level: l, checksum: checksum)
        }
        guard let compressor = libdeflate_alloc_compressor(Int32(min(max(level, 0), 12))) else {
            throw DataJointError(.codec, "Zarr: cannot allocate a \(self) compressor")
        }
        defer { libdeflate_free_compressor(compressor) }
        return try data.withUnsafeBytes { input -> Data in
            let bound = gzip
                ? libdeflate_gzip_compress_bound(compressor, input.count)
                : libdeflate_zlib_compress_bound(compressor, input.count)
            var output = Data(count: bound)
            let written = output.withUnsafeMutableBytes { out in
                gzip
                    ? libdeflate_gzip_compress(compressor, input.baseAddress, input.count, out.baseAddress, bound)
                    : libdeflate_zlib_compress(compressor, input.baseAddress, input.count, out.baseAddress, bound)
            }
            guard written > 0 else { throw DataJointError(.codec, "Zarr: \(self) could not compress a chunk") }
            output.count = written
            return output
        }
    }

    /// The bytes of a chunk, which must inflate to exactly `expectedSize` bytes. `describe` names the chunk in
    /// errors.
    func decompress(_ data: Data, expectedSize: Int, describe: @autoclosure () -> String) throws -> Data {
        let gzip: Bool
        switch self {
        case .none:
            guard data.count == expectedSize else {
                throw DataJointError(
                    .codec, "\(describe()) holds \(data.count) bytes, but an uncompressed chunk has \(expectedSize)")
            }
            return data
        case .gzip: gzip = true
        case .zlib: gzip = false
        case .zstd: return try Self.zstdDecompress(data, expectedSize: expectedSize, describe: describe())
        }
        if let inflated = Self.inflateWithLibdeflate(data, gzip: gzip, expectedSize: expectedSize) { return inflated }
        // Streams libdeflate does not take in one piece (several gzip members, a wrapper other than declared) or
        // damaged ones: zlib, which also says what is wrong.
        return try Self.inflateWithZlib(data, expectedSize: expectedSize, describe: describe())
    }

    private static func inflateWithLibdeflate(_ data: Data, gzip: Bool, expectedSize: Int) -> Data? {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var output = Data(count: expectedSize)
        var produced = 0
        let result = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                gzip
                    ? libdeflate_gzip_decompress(
                        decompressor, input.baseAddress, input.count, out.baseAddress, expectedSize, &produced)
                    : libdeflate_zlib_decompress(
                        decompressor, input.baseAddress, input.count, out.baseAddress, expectedSize, &produced)
            }
        }
        guard result == LIBDEFLATE_SUCCESS, produced == expectedSize else { return nil }
        return output
    }

    /// zlib's inflate, detecting the gzip or zlib wrapper itself (window bits 15 + 32), across gzip members.
    private static func inflateWithZlib(_ data: Data, expectedSize: Int, describe: String) throws -> Data {
        var output = Data(count: expectedSize + 1)
        var produced = 0
        var consumed = 0
        try data.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes { out in
                while consumed < input.count {
                    var stream = z_stream()
                    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                        throw DataJointError(.codec, "\(describe) cannot be inflated: zlib failed to initialize")
                    }
                    defer { inflateEnd(&stream) }
                    stream.next_in = UnsafeMutablePointer(
                        mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self) + consumed)
                    stream.avail_in = uInt(clamping: input.count - consumed)
                    stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                    stream.avail_out = uInt(clamping: out.count - produced)
                    let status = inflate(&stream, Z_FINISH)
                    produced += Int(stream.total_out)
                    consumed += Int(stream.total_in)
                    if status == Z_BUF_ERROR, stream.avail_out == 0 { break }  // more than a chunk: said below
                    guard status == Z_STREAM_END else {
                        let reason = stream.msg.map { String(cString: $0) } ?? "the stream ends early"
                        throw DataJointError(.codec, "\(describe) is not a valid deflate stream (\(reason))")
                    }
                    // Zero padding after the last gzip member is allowed.
                    if input[consumed...].allSatisfy({ $0 == 0 }) { break }
                }
            }
        }
        guard produced == expectedSize else {
            let amount = produced > expectedSize ? "more than \(expectedSize)" : "\(produced)"
            throw DataJointError(.codec, "\(describe) inflates to \(amount) bytes, but a chunk has \(expectedSize)")
        }
        output.count = expectedSize
        return output
    }

    private static func zstdCompress(_ data: Data, level: Int, checksum: Bool) throws -> Data {
        guard let context = ZSTD_createCCtx() else { throw DataJointError(.codec, "Zarr: cannot allocate a zstd compressor") }
        defer { ZSTD_freeCCtx(context) }
        let clamped = min(max(level, Int(ZSTD_minCLevel())), Int(ZSTD_maxCLevel()))
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(clamped))
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, checksum ? 1 : 0)
        let bound = ZSTD_compressBound(data.count)
        var output = Data(count: bound)
        let written = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                ZSTD_compress2(context, out.baseAddress, bound, input.baseAddress, input.count)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw DataJointError(.codec, "Zarr: zstd could not compress a chunk (\(String(cString: ZSTD_getErrorName(written))))")
        }
        output.count = written
        return output
    }

    /// zstd frames (one or several, as written) that must decompress to exactly `expectedSize` bytes.
    private static func zstdDecompress(_ data: Data, expectedSize: Int, describe: String) throws -> Data {
        // One byte more than a chunk: a frame that holds more is then caught, not cut short.
        var output = Data(count: expectedSize + 1)
        let produced = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
            }
        }
        if ZSTD_isError(produced) != 0 {
            throw DataJointError(
                .codec, "\(describe) is not a valid zstd stream (\(String(cString: ZSTD_getErrorName(produced))))")
        }
        guard produced == expectedSize else {
            let amount = produced > expectedSize ? "more than \(expectedSize)" : "\(produced)"
            throw DataJointError(.codec, "\(describe) decompresses to \(amount) bytes, but a chunk has \(expectedSize)")
        }
        output.count = expectedSize
        return output
    }
}
