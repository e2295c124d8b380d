import Foundation

/// A constraint on an input value; returns the message to show when the value breaks it.
public struct Check<Value>: Sendable {
    let validate: @Sendable (Value) -> String?

    public init(_ validate: @escaping @Sendable (Value) -> String?) {
        self.validate = validate
    }

    /// Accepts everything.
    public static var none: Check { Check { _ in nil } }

    /// Every check in order; reports the first failure.
    public static func all(_ checks: Check...) -> Check {
        Check { value in
            for check in checks {
                if let message = check.validate(value) { return message }
            }
            return nil
        }
    }
}

extension Check where Value == String {
    /// Length in Unicode scalars (what PostgreSQL's `char_length` counts).
    public static func length(min: Int? = nil, max: Int? = nil) -> Check {
        Check { value in
            let count = value.unicodeScalars.count
            if let min, count < min {
                return min == 1 ? "can't be blank" : "is too short (minimum is \(min) characters)"
            }
            if let max, count > max { return "is too long (maximum is \(max) characters)" }
            return nil
        }
    }

    public static func format(_ format: StringFormat) -> Check {
        Check { format.matches($0) ? nil : format.message }
    }
}

extension Check where Value: FixedWidthInteger & Sendable {
    public static func range(min: Value? = nil, max: Value? = nil) -> Check {
        Check { value in
            if let min, value < min { return "must be greater than or equal to \(min)" }
            if let max, value > max { return "must be less than or equal to \(max)" }
            return nil
        }
    }
}

extension Check where Value == Decimal {
    /// At most `precision` significant digits, `scale` of them after the point (`numeric(p, s)`).
    public static func digits(precision: Int, scale: Int) -> Check {
        Check { value in
            let text = NSDecimalNumber(decimal: value).stringValue.replacingOccurrences(of: "-", with: "")
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let integerDigits = parts[0] == "0" ? 0 : parts[0].count
            let fractionDigits = parts.count > 1 ? parts[1].count : 0
            if fractionDigits > scale { return "must have at most \(scale) digits after the decimal point" }
            if integerDigits > precision - scale { return "must have at most \(precision - scale) digits before the decimal point" }
            return nil
        }
    }

    public static func range(min: Decimal? = nil, max: Decimal? = nil) -> Check {
        Check { value in
            if let min, value < min { return "must be greater than or equal to \(min)" }
            if let max, value > max { return "must be less than or equal to \(max)" }
            return nil
        }
    }
}
