import Crypto
import Foundation

extension UUID {
    /// A UUID (version 8) that depends on `name` only, so fixtures get the same ids on every run.
    static func stable(_ name: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Data(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: custom
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}

extension String {
    /// Eight hex digits that depend on the string only: a short, stable tag for fixture values.
    var stableTag: String {
        SHA256.hash(data: Data(utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }
}
