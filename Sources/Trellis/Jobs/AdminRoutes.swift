import Foundation
import Hummingbird
import Logging
import PostgresNIO
import TrellisAccountsAPI

/// `/admin/...`: what platform administrators (`Server platform-admin grant`, never an API key)
/// see and do across every organization: failed and waiting jobs (retry, discard) and the
/// webhooks received from other services whose processing failed (retry).
public struct AdminRoutes: Sendable {
    public let database: Database

    static let permission = Permission.platformAdmins(scope: "admin")
    static let jobStates: Set<String> = ["pending", "running", "completed", "discarded"]

    public init(database: Database) {
        self.database = database
    }

    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.on(.listJobs) { request, context in try await listJobs(request, context) }
        group.on(.retryJob) { request, context in try await retryJob(request, context) }
        group.on(.discardJob) { request, context in try await discardJob(request, context) }
        group.on(.listWebhookEvents) { request, context in try await listWebhookEvents(request, context) }
        group.on(.retryWebhookEvent) { request, context in try await retryWebhookEvent(request, context) }
    }

    func listJobs(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        _ = try context.require(Self.permission)
        var query = AdminQuery(request, accepting: ["state", "queue", "kind", "limit", "before"])
        let state = query.choice("state", from: Self.jobStates) ?? "discarded"
        let queue = query.text("queue")
        let kind = query.text("kind")
        let limit = query.integer("limit", in: 1...100) ?? 50
        let before = query.integer("before", in: 1...Int64.max)
        try query.finish()
        let jobs = try await JobAdministration.jobs(
            state: state, queue: queue, kind: kind, before: before, limit: Int(limit), on: database.client, logger: context.logger
        )
        return Response.data(JSONValue.array(jobs))
    }

    func retryJob(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        _ = try context.require(Self.permission)
        try request.rejectUnknownQueryParameters()
        guard let job = try await JobAdministration.retry(try Self.id(context, "job_id"), on: database.client, logger: context.logger) else {
            throw APIError(.notFound, "No discarded job has this id.")
        }
        return Response.data(job)
    }

    func discardJob(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        _ = try context.require(Self.permission)
        try request.rejectUnknownQueryParameters()
        guard let job = try await JobAdministration.discard(try Self.id(context, "job_id"), on: database.client, logger: context.logger) else {
            throw APIError(.notFound, "No pending job has this id.")
        }
        return Response.data(job)
    }

    func listWebhookEvents(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        _ = try context.require(Self.permission)
        var query = AdminQuery(request, accepting: ["status", "limit", "before"])
        let status = query.choice("status", from: Set(IncomingWebhookStatus.allCases.map(\.rawValue))).flatMap(IncomingWebhookStatus.init) ?? .failed
        let limit = query.integer("limit", in: 1...100) ?? 50
        let before = query.integer("before", in: 1...Int64.max)
        try query.finish()
        let events = try await IncomingWebhooks.events(status: status, limit: Int(limit), before: before, database: database, logger: context.logger)
        return Response.data(events)
    }

    func retryWebhookEvent(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        _ = try context.require(Self.permission)
        try request.rejectUnknownQueryParameters()
        let id = try Self.id(context, "event_id")
        switch try await IncomingWebhooks.retry(id: id, database: database, logger: context.logger) {
        case .enqueued:
            guard let event = try await IncomingWebhooks.event(id: id, database: database, logger: context.logger) else {
                throw APIError(.notFound, "No webhook event has this id.")
            }
            return Response.data(event, status: .accepted)
        case .notFound: throw APIError(.notFound, "No webhook event has this id.")
        case .notFailed(let status): throw APIError(.conflict, "The event is \(status.rawValue), not failed.")
        case .alreadyQueued: throw APIError(.conflict, "The event's processing is already queued.")
        }
    }

    /// A positive integer path parameter; 404 otherwise.
    static func id(_ context: TrellisRequestContext, _ name: String) throws(APIError) -> Int64 {
        guard let text = context.parameters.get(name), let id = Int64(text), id > 0 else { throw APIError.notFound() }
        return id
    }
}

/// The query of an admin list: only the named parameters, each once, each valid; 422 naming
/// every problem otherwise.
struct AdminQuery {
    private let values: [String: [String]]
    private var errors: [String: [String]] = [:]

    init(_ request: Request, accepting accepted: Set<String>) {
        var values: [String: [String]] = [:]
        var errors: [String: [String]] = [:]
        for (name, value) in request.uri.queryParameters where !(name.isEmpty && value.isEmpty) {
            let name = String(name)
            if accepted.contains(name) { values[name, default: []].append(String(value)) } else { errors[name] = ["is not a known query parameter"] }
        }
        for (name, list) in values where list.count > 1 { errors[name] = ["must be given once"] }
        self.values = values
        self.errors = errors
    }

    private func value(_ name: String) -> String? { values[name]?.count == 1 ? values[name]?.first : nil }

    mutating func text(_ name: String) -> String? {
        guard let text = value(name) else { return nil }
        guard !text.isEmpty, text.utf8.count <= 200, !text.contains("\0") else {
            errors[name] = ["must be 1 to 200 characters"]
            return nil
        }
        return text
    }

    mutating func choice(_ name: String, from allowed: Set<String>) -> String? {
        guard let text = value(name) else { return nil }
        guard allowed.contains(text) else {
            errors[name] = ["must be one of \(allowed.sorted().joined(separator: ", "))"]
            return nil
        }
        return text
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let text = value(name) else { return nil }
        guard let number = Int64(text), range.contains(number) else {
            errors[name] = ["must be a whole number from \(range.lowerBound) to \(range.upperBound)"]
            return nil
        }
        return number
    }

    func finish() throws(APIError) {
        if !errors.isEmpty { throw APIError.validation(errors) }
    }
}
