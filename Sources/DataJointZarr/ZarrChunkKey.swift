import DataJointCore

/// How the grid position of a chunk becomes its key inside the array's directory.
///
/// - Zarr v3 `default`: `c` followed by the indices, each after the separator: `c/0/1` (`c` alone for a
///   0-dimensional array). This module writes it with `/`, Python's zarr's default.
/// - Zarr v3 `v2`, and Zarr v2 itself: the indices joined by the separator, `0.1` (`0` for a 0-dimensional array);
///   Zarr v2 calls the separator `dimension_separator`, `.` unless stated.
struct ZarrChunkKeyEncoding: Sendable, Hashable {
    enum Style: Sendable, Hashable {
        case `default`
        case v2
    }

    var style: Style
    var separator: String

    /// Zarr v3's default: `c/i/j`.
    static let v3Default = ZarrChunkKeyEncoding(style: .default, separator: "/")

    /// The key of the chunk at `indices` (one per axis).
    func key(_ indices: [Int]) -> String {
        let parts = indices.map(String.init)
        switch style {
        case .default: return (["c"] + parts).joined(separator: separator)
        case .v2: return parts.isEmpty ? "0" : parts.joined(separator: separator)
        }
    }

    /// Zarr v3's `chunk_key_encoding` object: `{"name": "default", "configuration": {"separator": "/"}}`.
    init(v3 json: JSON?) throws {
        guard case .object(let object)? = json, case .string(let name)? = object["name"] else {
            throw DataJointError(.codec, "its chunk_key_encoding is missing or not an object with a name")
        }
        var separator: String?
        if case .object(let configuration)? = object["configuration"], let value = configuration["separator"] {
            guard case .string(let s) = value else {
                throw DataJointError(.codec, "its chunk_key_encoding has a separator that is not text")
            }
            separator = s
        }
        switch name {
        case "default":
            style = .default
            self.separator = separator ?? "/"
        case "v2":
            style = .v2
            self.separator = separator ?? "."
        default:
            throw DataJointError(.codec, "its chunk key encoding `\(name)` is not supported (only default and v2)")
        }
        guard self.separator == "/" || self.separator == "." else {
            throw DataJointError(.codec, "its chunk key separator `\(self.separator)` is not `/` or `.`")
        }
    }

    /// Zarr v2's keys with its `dimension_separator` (absent or null: `.`).
    init(v2Separator json: JSON?) throws {
        style = .v2
        switch json {
        case nil, .null?: separator = "."
        case .string(let s)? where s == "." || s == "/": separator = s
        default: throw DataJointError(.codec, "its dimension_separator is not `.` or `/`")
        }
    }

    init(style: Style, separator: String) {
        self.style = style
        self.separator = separator
    }

    /// The `chunk_key_encoding` Zarr v3 writes for this encoding.
    var v3JSON: JSON {
        ["name": .string(style == .default ? "default" : "v2"), "configuration": ["separator": .string(separator)]]
    }
}
