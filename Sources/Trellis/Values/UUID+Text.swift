import Foundation

extension UUID {
    /// The lowercase canonical form (`0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b`), as the API writes
    /// ids. Made from the bytes: Foundation's `uuidString` formats with `snprintf` and
    /// `lowercased()` copies it again, which showed up in every request's profile.
    public var lowercasedString: String {
        String(unsafeUninitializedCapacity: 36) { output in
            writeCanonical(into: UnsafeMutableRawBufferPointer(output))
        }
    }

    /// Writes the 36 bytes of ``lowercasedString`` at the start of `output`; returns 36.
    func writeCanonical(into output: UnsafeMutableRawBufferPointer) -> Int {
        withUnsafeBytes(of: uuid) { bytes in
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    output[position] = UInt8(ascii: "-")
                    position += 1
                }
                output[position] = hexDigit(bytes[index] >> 4)
                output[position + 1] = hexDigit(bytes[index] & 0x0F)
                position += 2
            }
            return position
        }
    }
}
