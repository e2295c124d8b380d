import Foundation

extension UUID {
    /// A time-ordered UUIDv7 (RFC 9562) for `time`: 48 bits of Unix milliseconds, the version
    /// (7) and variant (`10`) bits, and 74 bits from the system's secure random generator.
    ///
    /// UUIDs made in different milliseconds sort (bytewise and as lowercase text) by time.
    public static func v7(at time: Timestamp = .now()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        return v7(at: time, using: &generator)
    }

    /// A UUIDv7 for `time` whose random bits come from `generator` (two `UInt64` draws), so
    /// tests can make deterministic ones. Times before 1970 use millisecond 0; the millisecond
    /// count wraps after 48 bits (year 10889).
    public static func v7<Generator: RandomNumberGenerator>(at time: Timestamp, using generator: inout Generator) -> UUID {
        let milliseconds = UInt64(max(0, time.microsecondsSinceEpoch / 1000))
        let high: UInt64 = generator.next()
        let low: UInt64 = generator.next()
        // unix_ts_ms (48) | ver (4) | rand_a (12)
        let first = (milliseconds << 16) | 0x7000 | (high & 0x0FFF)
        // var (2) | rand_b (62)
        let second = 0x8000_0000_0000_0000 | (low & 0x3FFF_FFFF_FFFF_FFFF)
        func byte(_ word: UInt64, _ index: UInt64) -> UInt8 {
            UInt8(truncatingIfNeeded: word >> (56 - 8 * index))
        }
        return UUID(
            uuid: (
                byte(first, 0), byte(first, 1), byte(first, 2), byte(first, 3),
                byte(first, 4), byte(first, 5), byte(first, 6), byte(first, 7),
                byte(second, 0), byte(second, 1), byte(second, 2), byte(second, 3),
                byte(second, 4), byte(second, 5), byte(second, 6), byte(second, 7)
            )
        )
    }
}
