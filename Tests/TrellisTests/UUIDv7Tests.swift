import Foundation
import NIOCore
import Testing

@testable import Trellis

@Suite struct UUIDv7Tests {
    /// Returns the given values in order, then repeats the last.
    private struct FixedGenerator: RandomNumberGenerator {
        var values: [UInt64]
        var index = 0

        mutating func next() -> UInt64 {
            let value = values[min(index, values.count - 1)]
            index += 1
            return value
        }
    }

    @Test func layoutFollowsRFC9562() {
        var generator = FixedGenerator(values: [0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210])
        // 2026-01-01T00:00:00.123456Z: 1_767_225_600_123 ms = 0x19b76daa87b
        let id = UUID.v7(at: Timestamp(microsecondsSinceEpoch: 1_767_225_600_123_456), using: &generator)
        #expect(id.uuidString.lowercased() == "019b76da-a87b-7def-bedc-ba9876543210")
        #expect(generator.index == 2)
    }

    @Test func versionAndVariantBitsOverrideRandomOnes() {
        var ones = FixedGenerator(values: [.max])
        let high = UUID.v7(at: Timestamp(microsecondsSinceEpoch: 0), using: &ones)
        #expect(high.uuidString == "00000000-0000-7FFF-BFFF-FFFFFFFFFFFF")
        var zeros = FixedGenerator(values: [0])
        let low = UUID.v7(at: Timestamp(microsecondsSinceEpoch: 1_000), using: &zeros)
        #expect(low.uuidString == "00000000-0001-7000-8000-000000000000")
    }

    @Test func timesBeforeTheEpochUseMillisecondZero() {
        var generator = FixedGenerator(values: [0])
        let id = UUID.v7(at: Timestamp(microsecondsSinceEpoch: -5_000_000), using: &generator)
        #expect(id.uuidString == "00000000-0000-7000-8000-000000000000")
    }

    @Test func sortsByTimeAcrossMilliseconds() {
        var generator = FixedGenerator(values: [.max, .max, 0, 0])
        let earlier = UUID.v7(at: Timestamp(microsecondsSinceEpoch: 1_767_225_600_123_999), using: &generator)
        let later = UUID.v7(at: Timestamp(microsecondsSinceEpoch: 1_767_225_600_124_000), using: &generator)
        #expect(earlier.uuidString.lowercased() < later.uuidString.lowercased())
    }

    @Test func systemRandomUUIDsHaveVersionVariantAndTime() {
        let time = Timestamp(microsecondsSinceEpoch: 1_767_225_600_123_456)
        let first = UUID.v7(at: time)
        let second = UUID.v7(at: time)
        #expect(first != second)
        for id in [first, second, UUID.v7()] {
            let bytes = id.uuid
            #expect(bytes.6 >> 4 == 7)
            #expect(bytes.8 >> 6 == 0b10)
        }
        #expect(first.uuidString.hasPrefix("019B76DA-A87B-7"))
    }

    @Test func writesLowercaseCanonicalJSON() throws {
        var generator = FixedGenerator(values: [0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210])
        let id = UUID.v7(at: Timestamp(microsecondsSinceEpoch: 1_767_225_600_123_456), using: &generator)
        var buffer = ByteBuffer()
        buffer.writeJSON(id)
        #expect(String(buffer: buffer) == #""019b76da-a87b-7def-bedc-ba9876543210""#)
    }
}
