import Testing
import Trellis

/// A value that breaks one rule of a field, for one generated 422 test.
public struct InvalidValue: Sendable, CustomTestStringConvertible {
    /// What the request does with the field.
    public enum Input: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
        /// The key is left out.
        case missing
        /// The key holds `null`.
        case null
        /// The key holds this value.
        case value(JSONValue)
        /// The key holds the value of another row of the organization (a `unique` field).
        case duplicate

        public init(stringLiteral value: String) { self = .value(.string(value)) }
        public init(integerLiteral value: Int64) { self = .value(.integer(value)) }
        public init(booleanLiteral value: Bool) { self = .value(.bool(value)) }

        /// A string of `length` characters.
        public static func text(length: Int) -> Input { .value(.string(String(repeating: "x", count: length))) }
    }

    public var field: String
    /// The spec rule the value breaks (`max_length: 200`), for the test's name.
    public var rule: String
    public var input: Input

    public init(_ field: String, breaks rule: String, with input: Input) {
        self.field = field
        self.rule = rule
        self.input = input
    }

    public var testDescription: String { "\(field): \(rule)" }
}

/// One cell of a spec's permission matrix: whether `role` may perform `action`.
public struct PermissionCell: Sendable, CustomTestStringConvertible {
    public var role: Role
    public var action: ResourceAction
    public var allowed: Bool

    public init(_ role: Role, _ action: ResourceAction, allowed: Bool) {
        self.role = role
        self.action = action
        self.allowed = allowed
    }

    public var testDescription: String { "\(role.rawValue) \(allowed ? "may" : "may not") \(action.rawValue)" }
}

/// Whether an API key holding `scopes` may perform `action`. The key's creator has `role`, or,
/// when none is given, the most powerful role the spec allows the action, so that only the scopes
/// decide; a key never does more than its creator's role allows.
public struct ScopeCell: Sendable, CustomTestStringConvertible {
    public var scopes: [String]
    public var action: ResourceAction
    public var role: Role?
    public var allowed: Bool

    public init(_ scopes: [String], _ action: ResourceAction, by role: Role? = nil, allowed: Bool) {
        self.scopes = scopes
        self.action = action
        self.role = role
        self.allowed = allowed
    }

    public var testDescription: String {
        let creator = role.map { " of a \($0.rawValue)" } ?? ""
        return "a key\(creator) with \(scopes.joined(separator: ", ")) \(allowed ? "may" : "may not") \(action.rawValue)"
    }
}
