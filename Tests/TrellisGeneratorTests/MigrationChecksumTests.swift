import Testing
import TrellisGenerator

/// A migration's checksum is SHA-256, computed by the generator's own implementation: it must
/// equal what the runtime's migrator (swift-crypto) records, or every applied migration would
/// look edited.
struct MigrationChecksumTests {
    @Test(arguments: [
        // FIPS 180-4 examples.
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        // Lengths around the padding's block boundaries.
        (String(repeating: "x", count: 55), "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"),
        (String(repeating: "x", count: 56), "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"),
        (String(repeating: "x", count: 63), "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"),
        (String(repeating: "x", count: 64), "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"),
        (String(repeating: "x", count: 65), "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"),
        (String(repeating: "x", count: 119), "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"),
        (String(repeating: "x", count: 120), "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"),
        // Multi-byte UTF-8 over many blocks.
        (String(repeating: "é—ü\n", count: 100), "262219fb51bae5c0fbb3cca872aa202460b63c4317545a9fef5bf4f7d6aebdd9"),
    ])
    func checksumIsSHA256(sql: String, expected: String) {
        #expect(MigrationFile(id: "20261126120000_example", sql: sql).sha256 == expected)
    }

    @Test func checksumOfAMillionBytes() {
        let sql = String(repeating: "a", count: 1_000_000)
        #expect(MigrationFile(id: "20261126120000_example", sql: sql).sha256 == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
