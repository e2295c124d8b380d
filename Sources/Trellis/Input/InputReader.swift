/// Reads a JSON object body field by field, collecting every problem so a 422 lists them all.
///
/// Generated input types use it like this:
/// ```swift
/// var input = InputReader(body, fields: Self.fields, serverOwned: Self.serverOwned)
/// let title = input.read("title", as: String.self, required: true, check: .length(min: 1, max: 200))
/// let status = input.read("status", as: TaskStatus.self) ?? .todo
/// guard let title else { throw input.failure() }
/// try input.finish()
/// ```
public struct InputReader {
    private let object: [String: JSONValue]
    private var errors: [String: [String]] = [:]

    /// - Parameters:
    ///   - fields: the keys a client may send.
    ///   - serverOwned: keys the server sets (`id`, `org_id`, timestamps, `set_from` fields).
    ///   - immutable: keys that may be set on create but never changed (checked on update).
    public init(_ object: [String: JSONValue], fields: Set<String>, serverOwned: Set<String>, immutable: Set<String> = []) {
        self.object = object
        for key in object.keys.sorted() where !fields.contains(key) {
            if serverOwned.contains(key) {
                errors[key, default: []].append("is set by the server and cannot be written")
            } else if immutable.contains(key) {
                errors[key, default: []].append("cannot be changed after creation")
            } else {
                errors[key, default: []].append("is not a known field")
            }
        }
    }

    /// Whether no problem has been recorded.
    public var isValid: Bool { errors.isEmpty }

    /// Records a problem with `field` (hooks use this through ``ValidationErrors``).
    public mutating func reject(_ field: String, _ message: String) {
        errors[field, default: []].append(message)
    }

    /// A value that is absent (nil), or present and non-null.
    ///
    /// - `required`: absence is an error.
    /// - `nullable`: an explicit `null` reads as nil instead of being an error.
    public mutating func read<T: InputDecodable>(
        _ key: String, as type: T.Type, required: Bool = false, nullable: Bool = false, check: Check<T> = .none
    ) -> T? {
        guard let raw = object[key] else {
            if required { reject(key, "is required") }
            return nil
        }
        if case .null = raw {
            if !nullable { reject(key, required ? "is required" : "cannot be null") }
            return nil
        }
        return decode(key, raw, check: check)
    }

    /// A PATCH value of a nullable field: absent, `null`, or a new value.
    public mutating func patch<T: InputDecodable>(_ key: String, as type: T.Type, check: Check<T> = .none) -> Patchable<T> {
        guard let raw = object[key] else { return .unchanged }
        if case .null = raw { return .clear }
        return decode(key, raw, check: check).map(Patchable.set) ?? .unchanged
    }

    private mutating func decode<T: InputDecodable>(_ key: String, _ raw: JSONValue, check: Check<T>) -> T? {
        guard let value = T.decode(input: raw) else {
            reject(key, T.expectation)
            return nil
        }
        if let message = check.validate(value) {
            reject(key, message)
            return nil
        }
        return value
    }

    /// The 422 for everything recorded so far.
    public func failure() -> APIError {
        .validation(errors.isEmpty ? ["body": ["is invalid"]] : errors)
    }

    /// Throws the 422 when anything was recorded.
    public func finish() throws(APIError) {
        if !errors.isEmpty { throw failure() }
    }
}

/// Problems found by hand-written validation hooks; thrown as a 422 with per-field details.
public struct ValidationErrors: Error, Sendable {
    public private(set) var details: [String: [String]] = [:]

    public init() {}

    public var isEmpty: Bool { details.isEmpty }

    public mutating func add(_ field: String, _ message: String) {
        details[field, default: []].append(message)
    }

    /// Throws a 422 listing every problem, when there is any.
    public func throwIfAny() throws(APIError) {
        if !details.isEmpty { throw APIError.validation(details) }
    }
}
