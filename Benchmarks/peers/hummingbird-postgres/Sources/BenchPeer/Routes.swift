import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// The request context: the caller, once ``AuthMiddleware`` has read the token; one JSON encoder
/// and decoder shared by every request.
struct PeerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var principal: Principal?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
    }

    var maxUploadSize: Int { 1 << 20 }
    var requestDecoder: JSONDecoder { Coders.decoder }
    var responseEncoder: JSONEncoder { Coders.encoder }

    func requirePrincipal() throws(APIFailure) -> Principal {
        guard let principal else { throw APIFailure(.unauthorized, "unauthorized", "A valid bearer token is required.") }
        return principal
    }

    func taskID() throws(APIFailure) -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else { throw APIFailure.notFound }
        return id
    }
}

enum Coders {
    static let encoder = JSONEncoder()
    static let decoder = JSONDecoder()
}

/// Turns any other error into a JSON 500 (or 400 for a body that is not JSON), logged.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = PeerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIFailure {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            // Hummingbird's own: a body that is not JSON (400), too large (413), ...
            let code = error.status == .badRequest ? "bad_request" : error.status == .contentTooLarge ? "payload_too_large" : "error"
            return try APIFailure(error.status, code, error.body ?? error.status.reasonPhrase).response(from: request, context: context)
        } catch is DecodingError {
            return try APIFailure(.badRequest, "bad_request", "The body is not a JSON object.").response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return try APIFailure(.internalServerError, "internal_error", "Something went wrong.").response(from: request, context: context)
        }
    }
}

struct TaskRoutes: Sendable {
    let client: PostgresClient

    static let listParameters: Set<Substring> = ["limit", "cursor", "project_id", "status", "include"]

    func add(to group: RouterGroup<PeerContext>) {
        group.get("tasks/:id", use: read)
        group.get("tasks", use: list)
        group.post("tasks", use: create)
        group.patch("tasks/:id", use: update)
    }

    @Sendable func read(_ request: Request, context: PeerContext) async throws -> DataEnvelope<TaskItem> {
        let principal = try context.requirePrincipal()
        let id = try context.taskID()
        for try await row in try await client.execute(FindTask(id: id, orgID: principal.orgID), logger: context.logger) {
            return DataEnvelope(data: TaskItem(row: row))
        }
        throw APIFailure.notFound
    }

    @Sendable func list(_ request: Request, context: PeerContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        var errors: [String: [String]] = [:]
        for (key, _) in query where !Self.listParameters.contains(key) {
            errors[String(key), default: []].append("is not a query parameter of this list")
        }
        var limit = 20
        if let text = query["limit"] {
            if let value = Int(text), (1...100).contains(value) { limit = value } else { errors["limit"] = ["must be an integer between 1 and 100"] }
        }
        var cursor: Cursor?
        if let text = query["cursor"], !text.isEmpty {
            cursor = Cursor(encoded: text)
            if cursor == nil { errors["cursor"] = ["is not a cursor of this list"] }
        }
        var projectID: UUID?
        if let text = query["project_id"] {
            projectID = UUID(uuidString: String(text))
            if projectID == nil { errors["project_id"] = ["must be a UUID"] }
        }
        var status: String?
        if let text = query["status"] {
            status = String(text)
            if !taskStatuses.contains(String(text)) { errors["status"] = ["must be one of: doing, done, todo"] }
        }
        var includeProject = false
        if let text = query["include"] {
            if text == "project" { includeProject = true } else { errors["include"] = ["must be: project"] }
        }
        if !errors.isEmpty { throw APIFailure.validation(errors) }

        let org = principal.orgID
        let rows: [TaskRow]
        switch (projectID != nil, status != nil, cursor != nil) {
        case (false, false, false): rows = try await page(ListTasks<ListAll>(orgID: org, cursor: cursor, limit: limit + 1), context)
        case (false, false, true): rows = try await page(ListTasks<ListAllAfter>(orgID: org, cursor: cursor, limit: limit + 1), context)
        case (true, false, false):
            rows = try await page(ListTasks<ListProject>(orgID: org, projectID: projectID, cursor: cursor, limit: limit + 1), context)
        case (true, false, true):
            rows = try await page(ListTasks<ListProjectAfter>(orgID: org, projectID: projectID, cursor: cursor, limit: limit + 1), context)
        case (false, true, false):
            rows = try await page(ListTasks<ListStatus>(orgID: org, status: status, cursor: cursor, limit: limit + 1), context)
        case (false, true, true):
            rows = try await page(ListTasks<ListStatusAfter>(orgID: org, status: status, cursor: cursor, limit: limit + 1), context)
        case (true, true, false):
            rows = try await page(
                ListTasks<ListProjectStatus>(orgID: org, projectID: projectID, status: status, cursor: cursor, limit: limit + 1), context
            )
        case (true, true, true):
            rows = try await page(
                ListTasks<ListProjectStatusAfter>(orgID: org, projectID: projectID, status: status, cursor: cursor, limit: limit + 1),
                context
            )
        }
        let hasMore = rows.count > limit
        let tasks = rows.prefix(limit).map(TaskItem.init(row:))
        let meta = ListEnvelope<TaskItem>.Meta(
            hasMore: hasMore, nextCursor: hasMore ? tasks.last.map { Cursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil, limit: limit
        )
        guard includeProject else {
            return try ListEnvelope(data: tasks, meta: meta).response(from: request, context: context)
        }
        var projects: [UUID: Project] = [:]
        let ids = Array(Set(tasks.map(\.projectID)))
        if !ids.isEmpty {
            for try await row in try await client.execute(FindProjects(orgID: org, ids: ids), logger: context.logger) {
                projects[row.0] = Project(row: row)
            }
        }
        let embedded = tasks.map { TaskWithProject(task: $0, project: projects[$0.projectID]) }
        return try ListEnvelope(data: embedded, meta: .init(hasMore: meta.hasMore, nextCursor: meta.nextCursor, limit: limit))
            .response(from: request, context: context)
    }

    private func page<Variant>(_ statement: ListTasks<Variant>, _ context: PeerContext) async throws -> [TaskRow] {
        var rows: [TaskRow] = []
        rows.reserveCapacity(statement.limit)
        for try await row in try await client.execute(statement, logger: context.logger) {
            rows.append(row)
        }
        return rows
    }

    @Sendable func create(_ request: Request, context: PeerContext) async throws -> EditedResponse<DataEnvelope<TaskItem>> {
        let principal = try context.requirePrincipal()
        guard principal.canWriteTasks else { throw APIFailure.forbidden }
        try requireJSON(request)
        let input = try await request.decode(as: TaskCreate.self, context: context)
        let now = Timestamp.now()
        let insert = InsertTask(id: uuidV7(now), orgID: principal.orgID, input: input, now: now)
        do {
            for try await row in try await client.execute(insert, logger: context.logger) {
                let task = TaskItem(row: row)
                return EditedResponse(
                    status: .created, headers: [.location: "/api/v1/tasks/\(task.id.lowercased)"], response: DataEnvelope(data: task)
                )
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            throw APIFailure.validation(["project_id": ["must refer to an existing project"]])
        }
        throw APIFailure.validation(["assignee_id": ["must be a member of this organization"]])
    }

    @Sendable func update(_ request: Request, context: PeerContext) async throws -> DataEnvelope<TaskItem> {
        let principal = try context.requirePrincipal()
        guard principal.canWriteTasks else { throw APIFailure.forbidden }
        let id = try context.taskID()
        try requireJSON(request)
        let patch = try await request.decode(as: TaskPatch.self, context: context)
        if patch.isEmpty { return try await read(request, context: context) }
        let update = UpdateTask(id: id, orgID: principal.orgID, patch: patch, now: .now())
        for try await row in try await client.execute(update, logger: context.logger) {
            return DataEnvelope(data: TaskItem(row: row))
        }
        for try await _ in try await client.execute(TaskExists(id: id, orgID: principal.orgID), logger: context.logger) {
            throw APIFailure.validation(["assignee_id": ["must be a member of this organization"]])
        }
        throw APIFailure.notFound
    }

    private func requireJSON(_ request: Request) throws(APIFailure) {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/json") || (type.hasPrefix("application/") && type.contains("+json")) else {
            throw APIFailure(.unsupportedMediaType, "unsupported_media_type", "Send the body as application/json.")
        }
    }
}

/// A version 7 UUID: the time in milliseconds, then random bits (new rows land at the index's end).
func uuidV7(_ now: Timestamp) -> UUID {
    var bytes = UUID().uuid
    let milliseconds = UInt64(now.micros / 1000)
    bytes.0 = UInt8(truncatingIfNeeded: milliseconds >> 40)
    bytes.1 = UInt8(truncatingIfNeeded: milliseconds >> 32)
    bytes.2 = UInt8(truncatingIfNeeded: milliseconds >> 24)
    bytes.3 = UInt8(truncatingIfNeeded: milliseconds >> 16)
    bytes.4 = UInt8(truncatingIfNeeded: milliseconds >> 8)
    bytes.5 = UInt8(truncatingIfNeeded: milliseconds)
    bytes.6 = (bytes.6 & 0x0F) | 0x70
    bytes.8 = (bytes.8 & 0x3F) | 0x80
    return UUID(uuid: bytes)
}
