import Foundation
import Testing

@testable import Trellis

@Suite struct DatabaseAvailabilityTests {
    /// A body that does not finish is given up at the timeout, and not waited for.
    @Test func aBodyThatDoesNotFinishIsAbandonedAtTheTimeout() async throws {
        let started = ContinuousClock.now
        let never: Int? = await DatabaseAvailability.result(within: .milliseconds(200)) {
            await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
            return 1
        }
        #expect(never == nil)
        // Generous: the body never finishes, so a result that waited for it would never come.
        #expect(ContinuousClock.now - started < .seconds(30), "took \(ContinuousClock.now - started)")
        let quick = await DatabaseAvailability.result(within: .seconds(5)) { 42 }
        #expect(quick == 42)
        let failing: Int? = await DatabaseAvailability.result(within: .seconds(5)) { throw CancellationError() }
        #expect(failing == nil)
    }
}

