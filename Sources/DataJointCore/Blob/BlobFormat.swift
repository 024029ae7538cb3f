/// The constants of the DataJoint blob format, as `datajoint/blob.py` (DataJoint-Python 2.3.5) defines them.
///
/// A blob is an optional compression header (`ZL123\0`, the uncompressed length as `uint64`, a zlib stream), then a
/// protocol header (`mYm\0` when only MATLAB-compatible structures occur, `dj0\0` otherwise), then one serialized
/// value. A value starts with a one-byte ``Code``; containers prefix each element with its length as `uint64`. All
/// numbers are little-endian; arrays are stored in column-major order.
enum BlobFormat {
    /// The header of the MATLAB-compatible protocol.
    static let mYmHeader: [UInt8] = Array("mYm\0".utf8)
    /// The header of the extended protocol.
    static let dj0Header: [UInt8] = Array("dj0\0".utf8)
    /// The header of a zlib-compressed blob.
    static let zlibHeader: [UInt8] = Array("ZL123\0".utf8)
    /// Blobs of this many bytes or fewer are never compressed.
    static let compressionThreshold = 1000
    /// Blobs of this many bytes or more are compressed by libdeflate at its fastest level, and only when a sample shows
    /// that compression pays: there deflate at zlib's default level (about 25 ms per MB) would dominate an insert.
    /// Smaller blobs use zlib's default level, as DataJoint-Python does, and so get exactly its bytes.
    static let fastCompressionThreshold = 1 << 16
    /// A large blob is stored compressed only when deflate makes it smaller than this fraction of its size (a sample
    /// decides first, then the whole): saving less is not worth the time to compress and to inflate at every fetch.
    static let worthwhileRatio = 0.9
    /// How many evenly spaced pieces of a large blob are deflated to estimate whether compression pays.
    static let samplePieces = 4
    /// The size in bytes of each sampled piece.
    static let samplePieceSize = 4096
    /// Python's `int` is limited to this many bytes in a blob.
    static let maxIntegerBytes = 0xFFFF

    /// The one-byte code that starts every serialized value.
    enum Code: UInt8 {
        /// MATLAB-compatible numeric, logical, char or object array (`A`).
        case array = 0x41
        /// MATLAB sparse array (`P`), which DataJoint-Python cannot read either.
        case sparse = 0x50
        /// MATLAB struct array (`S`).
        case matStruct = 0x53
        /// MATLAB cell array (`C`).
        case cell = 0x43
        case none = 0xFF
        case tuple = 0x01
        case list = 0x02
        case set = 0x03
        case dict = 0x04
        case string = 0x05
        case bytes = 0x06
        case int = 0x0A
        case bool = 0x0B
        case complex = 0x0C
        case float = 0x0D
        /// NumPy structured array (`F`).
        case recordArray = 0x46
        case decimal = 0x64
        /// `datetime.date`, `.time` or `.datetime` (`t`).
        case datetime = 0x74
        case uuid = 0x75
    }

    /// MATLAB class ids of arrays (`deserialize_lookup` in blob.py).
    enum ClassID {
        static let unknown: UInt32 = 0
        static let cell: UInt32 = 1
        static let matStruct: UInt32 = 2
        static let logical: UInt32 = 3
        static let char: UInt32 = 4
        static let void: UInt32 = 5
        static let function: UInt32 = 16
        /// `datetime64[Y]`; the other units follow in the order of ``DType/DateTimeUnit``.
        static let datetime64Base: UInt32 = 65_536
    }

    /// The class id of a numeric, bool or datetime64 dtype (for complex dtypes, that of the real part).
    static func classID(of dtype: DType) -> UInt32 {
        switch dtype {
        case .bool: ClassID.logical
        case .char: ClassID.char
        case .unicode, .object: ClassID.void
        case .float64, .complex128: 6
        case .float32, .complex64: 7
        case .int8: 8
        case .uint8: 9
        case .int16: 10
        case .uint16: 11
        case .int32: 12
        case .uint32: 13
        case .int64: 14
        case .uint64: 15
        case .datetime64(let unit):
            ClassID.datetime64Base + UInt32(DType.DateTimeUnit.allCases.firstIndex(of: unit)!)
        }
    }

    /// The dtype of a numeric class id (6...15, 3, 65536...65548), or `nil`.
    static func numericDType(classID: UInt32) -> DType? {
        switch classID {
        case 3: .bool
        case 6: .float64
        case 7: .float32
        case 8: .int8
        case 9: .uint8
        case 10: .int16
        case 11: .uint16
        case 12: .int32
        case 13: .uint32
        case 14: .int64
        case 15: .uint64
        case ClassID.datetime64Base..<(ClassID.datetime64Base + UInt32(DType.DateTimeUnit.allCases.count)):
            .datetime64(DType.DateTimeUnit.allCases[Int(classID - ClassID.datetime64Base)])
        default: nil
        }
    }

    /// The MATLAB name of the classes DataJoint-Python knows but cannot read as arrays.
    static func unsupportedClassName(_ classID: UInt32) -> String? {
        switch classID {
        case ClassID.unknown: "UNKNOWN"
        case ClassID.cell: "CELL"
        case ClassID.matStruct: "STRUCT"
        case ClassID.function: "FUNCTION"
        default: nil
        }
    }
}
