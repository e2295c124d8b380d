import Foundation
import Hummingbird

/// The selected columns of `tasks`, in the order ``TaskRow`` decodes them (Trellis's order).
let taskColumns = "id, project_id, title, status, priority, due_on, assignee_id, estimate, created_at, updated_at"
typealias TaskRow = (UUID, UUID, String, String, String, Day?, UUID?, Decimal?, Timestamp, Timestamp)

/// The selected columns of `projects`, in the order ``ProjectRow`` decodes them.
let projectColumns = "id, name, slug, status, description, created_at, updated_at"
typealias ProjectRow = (UUID, String, String, String, String?, Timestamp, Timestamp)

let taskStatuses: Set<String> = ["todo", "doing", "done"]
let taskPriorities: Set<String> = ["low", "medium", "high", "urgent"]

/// A task as the API shows it: the same keys, in the same order, as Trellis's.
struct TaskItem: Encodable, Sendable {
    var id: UUID
    var projectID: UUID
    var title: String
    var status: String
    var priority: String
    var dueOn: Day?
    var assigneeID: UUID?
    var estimate: Decimal?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    init(row: TaskRow) {
        (id, projectID, title, status, priority, dueOn, assigneeID, estimate, createdAt, updatedAt) = row
    }

    enum CodingKeys: String, CodingKey {
        case id, title, status, priority, estimate
        case projectID = "project_id"
        case dueOn = "due_on"
        case assigneeID = "assignee_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try encodeFields(into: &container)
    }

    /// Writes every key, `null` for an absent optional (JSONEncoder would leave the key out).
    func encodeFields(into container: inout KeyedEncodingContainer<CodingKeys>) throws {
        try container.encode(id.lowercased, forKey: .id)
        try container.encode(projectID.lowercased, forKey: .projectID)
        try container.encode(title, forKey: .title)
        try container.encode(status, forKey: .status)
        try container.encode(priority, forKey: .priority)
        try container.encode(dueOn, forKey: .dueOn)
        try container.encode(assigneeID?.lowercased, forKey: .assigneeID)
        try container.encode(estimate.map { decimalText($0, scale: 2) }, forKey: .estimate)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// A task with its project embedded (`?include=project`); `null` when the project is hidden.
struct TaskWithProject: Encodable, Sendable {
    var task: TaskItem
    var project: Project?

    enum ExtraKeys: String, CodingKey { case project }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TaskItem.CodingKeys.self)
        try task.encodeFields(into: &container)
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encode(project, forKey: .project)
    }
}

struct Project: Encodable, Sendable {
    var id: UUID
    var name: String
    var slug: String
    var status: String
    var description: String?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    init(row: ProjectRow) {
        (id, name, slug, status, description, createdAt, updatedAt) = row
    }

    enum CodingKeys: String, CodingKey {
        case id, name, slug, status, description
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercased, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(slug, forKey: .slug)
        try container.encode(status, forKey: .status)
        try container.encode(description, forKey: .description)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension UUID {
    var lowercased: String { uuidString.lowercased() }
}

/// `value` with at least `scale` fractional digits, as Trellis writes decimals (a JSON string).
func decimalText(_ value: Decimal, scale: Int) -> String {
    let text = value.description
    let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    let fraction = parts.count > 1 ? String(parts[1]) : ""
    return String(parts[0]) + "." + fraction + String(repeating: "0", count: max(0, scale - fraction.count))
}

// MARK: - responses

/// `{"data": ...}`
struct DataEnvelope<Value: Encodable & Sendable>: ResponseEncodable {
    var data: Value
}

/// `{"data": [...], "meta": {"has_more", "next_cursor", "limit"}}`
struct ListEnvelope<Item: Encodable & Sendable>: ResponseEncodable {
    var data: [Item]
    var meta: Meta

    struct Meta: Encodable, Sendable {
        var hasMore: Bool
        var nextCursor: String?
        var limit: Int

        enum CodingKeys: String, CodingKey {
            case hasMore = "has_more"
            case nextCursor = "next_cursor"
            case limit
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(hasMore, forKey: .hasMore)
            try container.encode(nextCursor, forKey: .nextCursor)
            try container.encode(limit, forKey: .limit)
        }
    }
}

/// `{"error": {"code", "message", "details"}}` with its status.
struct APIFailure: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var details: [String: [String]]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: [String: [String]] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    static func validation(_ details: [String: [String]]) -> APIFailure {
        APIFailure(.unprocessableContent, "validation_error", "The request is invalid.", details: details)
    }

    static let notFound = APIFailure(.notFound, "not_found", "No such task.")
    static let forbidden = APIFailure(.forbidden, "forbidden", "Your role may not do this.")

    private struct Body: Encodable {
        var error: Inner
        struct Inner: Encodable {
            var code: String
            var message: String
            var details: [String: [String]]
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(error: .init(code: code, message: message, details: details)))
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

// MARK: - request bodies

/// A JSON object key of any name, to see every key a body sends.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A field of a PATCH body: not sent, sent as `null`, or sent with a value.
enum PatchValue<Value: Sendable>: Sendable {
    case absent
    case null
    case value(Value)

    var isSent: Bool {
        if case .absent = self { return false }
        return true
    }

    var valueOrNil: Value? {
        if case .value(let value) = self { return value }
        return nil
    }
}

/// Reads a JSON object field by field, collecting every problem into a 422 as Trellis does.
struct BodyReader {
    let container: KeyedDecodingContainer<AnyKey>
    var errors: [String: [String]] = [:]

    init(_ decoder: any Decoder, allowed: Set<String>, immutable: Set<String> = []) throws {
        container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            errors[key.stringValue, default: []].append(immutable.contains(key.stringValue) ? "cannot be changed" : "is not a field of task")
        }
    }

    mutating func fail(_ field: String, _ message: String) {
        errors[field, default: []].append(message)
    }

    /// A present, non-null value of the right type; nil (with an error when `required`) otherwise.
    mutating func read<T: Decodable>(_ field: String, _ type: T.Type, required: Bool = false, what: String) -> T? {
        let key = AnyKey(stringValue: field)
        guard container.contains(key), (try? container.decodeNil(forKey: key)) == false else {
            if required { fail(field, "is required") } else if container.contains(key) { fail(field, "may not be null") }
            return nil
        }
        guard let value = try? container.decode(T.self, forKey: key) else {
            fail(field, "must be \(what)")
            return nil
        }
        return value
    }

    mutating func patch<T: Decodable & Sendable>(_ field: String, _ type: T.Type, what: String) -> PatchValue<T> {
        let key = AnyKey(stringValue: field)
        guard container.contains(key) else { return .absent }
        if (try? container.decodeNil(forKey: key)) == true { return .null }
        guard let value = try? container.decode(T.self, forKey: key) else {
            fail(field, "must be \(what)")
            return .absent
        }
        return .value(value)
    }

    mutating func checkTitle(_ title: String?) {
        if let title, !(1...200).contains(title.count) { fail("title", "must be 1 to 200 characters long") }
        if let title, title.utf8.contains(0) { fail("title", "may not contain the NUL character") }
    }

    mutating func checkEnum(_ field: String, _ value: String?, _ allowed: Set<String>) {
        if let value, !allowed.contains(value) { fail(field, "must be one of: \(allowed.sorted().joined(separator: ", "))") }
    }

    /// numeric(6, 2), at least 0.
    mutating func checkEstimate(_ value: Decimal?) {
        guard let value else { return }
        var rounded = Decimal()
        var copy = value
        NSDecimalRound(&rounded, &copy, 2, .plain)
        if rounded != value || value < 0 || value >= 10_000 {
            fail("estimate", "must be a number from 0 to 9999.99 with at most 2 decimals")
        }
    }

    func finish() throws(APIFailure) {
        if !errors.isEmpty { throw APIFailure.validation(errors) }
    }
}

/// A decimal sent as a JSON string (`"12.50"`), as Trellis reads decimals: digits, an optional
/// minus and fraction, no exponent.
struct DecimalText: Decodable, Sendable {
    var value: Decimal

    static let expectation = #"a decimal number written as a string, like "12.50""#

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        var digits = Substring(text)
        if digits.first == "-" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
            parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }),
            let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.expectation)
        }
        self.value = value
    }
}

/// The body of `POST /api/v1/tasks`.
struct TaskCreate: Decodable, Sendable {
    var projectID: UUID
    var title: String
    var status: String
    var priority: String
    var dueOn: Day?
    var assigneeID: UUID?
    var estimate: Decimal?

    static let fields: Set<String> = ["project_id", "title", "status", "priority", "due_on", "assignee_id", "estimate"]

    init(from decoder: any Decoder) throws {
        var reader = try BodyReader(decoder, allowed: Self.fields)
        let projectID = reader.read("project_id", UUID.self, required: true, what: "a UUID")
        let title = reader.read("title", String.self, required: true, what: "a string")
        reader.checkTitle(title)
        let status = reader.read("status", String.self, what: "a string") ?? "todo"
        reader.checkEnum("status", status, taskStatuses)
        let priority = reader.read("priority", String.self, what: "a string") ?? "medium"
        reader.checkEnum("priority", priority, taskPriorities)
        let dueOn = reader.patch("due_on", Day.self, what: "a date, YYYY-MM-DD").valueOrNil
        let assigneeID = reader.patch("assignee_id", UUID.self, what: "a UUID").valueOrNil
        let estimate = reader.patch("estimate", DecimalText.self, what: DecimalText.expectation).valueOrNil?.value
        reader.checkEstimate(estimate)
        try reader.finish()
        guard let projectID, let title else { throw APIFailure.validation(reader.errors) }
        self.projectID = projectID
        self.title = title
        self.status = status
        self.priority = priority
        self.dueOn = dueOn
        self.assigneeID = assigneeID
        self.estimate = estimate
    }
}

/// The body of `PATCH /api/v1/tasks/{id}`: only the keys sent change; `null` clears an optional field.
struct TaskPatch: Decodable, Sendable {
    var title: String?
    var status: String?
    var priority: String?
    var dueOn: PatchValue<Day>
    var assigneeID: PatchValue<UUID>
    var estimate: PatchValue<Decimal>

    static let fields: Set<String> = ["title", "status", "priority", "due_on", "assignee_id", "estimate"]

    var isEmpty: Bool {
        title == nil && status == nil && priority == nil && !dueOn.isSent && !assigneeID.isSent && !estimate.isSent
    }

    init(from decoder: any Decoder) throws {
        var reader = try BodyReader(decoder, allowed: Self.fields, immutable: ["project_id"])
        title = reader.read("title", String.self, what: "a string")
        reader.checkTitle(title)
        status = reader.read("status", String.self, what: "a string")
        reader.checkEnum("status", status, taskStatuses)
        priority = reader.read("priority", String.self, what: "a string")
        reader.checkEnum("priority", priority, taskPriorities)
        dueOn = reader.patch("due_on", Day.self, what: "a date, YYYY-MM-DD")
        assigneeID = reader.patch("assignee_id", UUID.self, what: "a UUID")
        switch reader.patch("estimate", DecimalText.self, what: DecimalText.expectation) {
        case .absent: estimate = .absent
        case .null: estimate = .null
        case .value(let text): estimate = .value(text.value)
        }
        reader.checkEstimate(estimate.valueOrNil)
        try reader.finish()
    }
}
