import Crypto
import Foundation

/// Where hash-addressed content lives: `{hash_prefix}/{schema}/[{fold}/...]{hash}`, the hash being the MD5 of the
/// content in lowercase base32 without padding (26 characters), as DataJoint-Python computes it.
public enum HashAddress {
    /// The content hash of `data`.
    public static func hash(of data: Data) -> String {
        base32(Array(Insecure.MD5.hash(data: data)))
    }

    /// The store-relative path of content with `hash`, written by `schema`, in a store configured as `spec`.
    public static func path(hash: String, schema: String, spec: StoreSpec) -> String {
        var components: [String] = []
        let prefix = spec.hashPrefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !prefix.isEmpty { components.append(prefix) }
        components.append(schema)
        var rest = Substring(hash)
        for length in spec.subfolding ?? [] {
            components.append(String(rest.prefix(length)))
            rest = rest.dropFirst(length)
        }
        components.append(hash)
        return components.joined(separator: "/")
    }

    /// Whether `name` looks like a content hash (garbage collection considers only such files).
    public static func isHash(_ name: Substring) -> Bool {
        name.count == 26 && name.allSatisfy { ("a"..."z").contains($0) || ("2"..."7").contains($0) }
    }

    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var result = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                result.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { result.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return result
    }
}
