import Foundation
import Testing
import Trellis

/// Cron expressions as crontab(5) reads them, in UTC.
@Suite struct CronExpressionTests {
    /// 2030-01-01 00:00 UTC, a Tuesday.
    static let newYear = Date(timeIntervalSince1970: 1_893_456_000)

    static func at(day: Int = 0, hour: Int = 0, minute: Int = 0) -> Date {
        newYear.addingTimeInterval(Double(day * 86400 + hour * 3600 + minute * 60))
    }

    @Test func fieldsListsRangesAndSteps() throws {
        let expression = try CronExpression("*/15 9-17 * * 1-5")
        #expect(!expression.matches(Self.at(hour: 8, minute: 45)))
        #expect(expression.matches(Self.at(hour: 9)))
        #expect(expression.matches(Self.at(hour: 17, minute: 45)))
        #expect(!expression.matches(Self.at(hour: 9, minute: 5)))
        #expect(!expression.matches(Self.at(day: 4, hour: 9)), "Saturday")
        #expect(try CronExpression("5,35 * * * *").matches(Self.at(minute: 35)))
        #expect(try CronExpression("10-30/10 * * * *").matches(Self.at(minute: 20)))
        #expect(!(try CronExpression("10-30/10 * * * *").matches(Self.at(minute: 40))))
    }

    @Test func shortcutsAndSundayAsSeven() throws {
        #expect(try CronExpression("@hourly").matches(Self.at(hour: 5)))
        #expect(!(try CronExpression("@hourly").matches(Self.at(hour: 5, minute: 1))))
        #expect(try CronExpression("@daily").matches(Self.at(day: 3)))
        #expect(try CronExpression("0 0 * * 7").matches(Self.at(day: 5)), "2030-01-06 is a Sunday")
        #expect(try CronExpression("0 0 * * 0").matches(Self.at(day: 5)))
    }

    @Test func restrictedDayFieldsMatchEither() throws {
        // The 15th, or any Monday: 2030-01-07 is a Monday, the 15th a Tuesday.
        let expression = try CronExpression("0 0 15 * 1")
        #expect(expression.matches(Self.at(day: 6)))
        #expect(expression.matches(Self.at(day: 14)))
        #expect(!expression.matches(Self.at(day: 1)))
    }

    @Test func badExpressionsNameTheField() {
        for (text, fragment) in [("* * * *", "4 fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day-of-month"),
                                 ("* * * 13 *", "month"), ("* * * * 8", "day-of-week"), ("*/0 * * * *", "step"), ("a * * * *", "minute")] {
            #expect {
                try CronExpression(text)
            } throws: { error in
                String(describing: error).contains(fragment)
            }
        }
    }
}
