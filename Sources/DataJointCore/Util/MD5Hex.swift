import Crypto
import Foundation

/// MD5 digests as hex text (swift-crypto), where DataJoint-Python names things by one: long key values in object
/// paths, PostgreSQL enum types.
package enum MD5Hex {
    /// The digest of `bytes` as 32 lowercase hex digits.
    package static func digest(_ bytes: some DataProtocol) -> String {
        Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
