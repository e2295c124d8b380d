import Testing

@testable import Trellis

@Suite struct Base64URLTests {
    /// RFC 4648 §10's vectors, without the padding base64url leaves out.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func encodesTheRFCVectors(text: String, encoded: String) {
        #expect(Base64URL.encode(Array(text.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(text.utf8))
    }

    @Test func usesTheURLAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }

    @Test func roundTripsEveryByte() {
        let bytes = (0...255).map(UInt8.init)
        for length in 0...bytes.count {
            #expect(Base64URL.decode(Base64URL.encode(bytes.prefix(length))) == Array(bytes.prefix(length)))
        }
    }

    /// Padding, characters of the standard alphabet, an impossible length and non-zero leftover
    /// bits are refused, so that each byte string has exactly one encoding.
    @Test(arguments: ["Zg==", "Zm+v", "Zm/v", "Z", "Zh", "Zm9vY", "é"])
    func refusesWhatItNeverWrites(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
