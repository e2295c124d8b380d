import Foundation

/// How changing a column's PostgreSQL type affects the rows it holds.
enum TypeChange: Equatable {
    /// Catalog-only: every value fits, nothing is rewritten (`numeric(6, 2)` to `numeric(8, 2)`).
    case widening
    /// Every value fits, but PostgreSQL rewrites the table (`integer` to `bigint`, anything to `text`).
    case wideningWithRewrite
    /// Values may not fit or lose precision (`bigint` to `integer`, a smaller scale, `text` to `uuid`).
    case narrowing

    init(from old: String, to new: String) {
        if let oldNumeric = Self.numeric(old), let newNumeric = Self.numeric(new) {
            let oldWhole = oldNumeric.precision - oldNumeric.scale
            let newWhole = newNumeric.precision - newNumeric.scale
            if newNumeric.scale == oldNumeric.scale && newWhole >= oldWhole {
                self = .widening
            } else if newNumeric.scale >= oldNumeric.scale && newWhole >= oldWhole {
                self = .wideningWithRewrite
            } else {
                self = .narrowing
            }
            return
        }
        switch (old, new) {
        case ("integer", "bigint"), (_, "text"): self = .wideningWithRewrite
        case ("integer", "numeric"), ("bigint", "numeric"): self = .wideningWithRewrite
        default:
            if let numeric = Self.numeric(new), ["integer", "bigint"].contains(old) {
                let digits = old == "integer" ? 10 : 19
                self = numeric.precision - numeric.scale >= digits ? .wideningWithRewrite : .narrowing
            } else {
                self = .narrowing
            }
        }
    }

    /// `numeric(p, s)` split into precision and scale.
    private static func numeric(_ type: String) -> (precision: Int, scale: Int)? {
        guard type.hasPrefix("numeric("), type.hasSuffix(")") else { return nil }
        let parts = type.dropFirst("numeric(".count).dropLast().split(separator: ",").map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard parts.count == 2, let precision = parts[0], let scale = parts[1] else { return nil }
        return (precision, scale)
    }
}
