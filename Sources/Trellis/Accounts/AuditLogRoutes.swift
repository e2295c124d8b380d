import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import TrellisAccountsAPI

/// `GET /audit-logs`: the organization's audit trail, for owners and admins.
///
/// A list like a generated resource's (``ListQuery``): cursor pages newest first, filtered by
/// `resource_type`, `resource_id`, `user_id` (`me` too), `api_key_id`, `action` (or
/// `action__starts_with`) and `created_at__gte` / `__lt`. With `Accept: text/csv` or
/// `Accept: application/x-ndjson` it answers every matching row instead of a page, streamed in
/// batches, so an export of months of history never sits in memory.
public struct AuditLogRoutes: Sendable {
    public let database: Database

    static let read = Permission(roles: [.owner, .admin], scope: "read:audit-logs")
    static let pagination = ResourcePagination(defaultLimit: 50, maxLimit: 200, defaultSort: SortOrder(key: "created_at", descending: true))
    /// Rows per statement of an export.
    static let exportBatch = 1000

    static let query = ListQuery(
        table: "audit_logs", columns: AuditEntry.columns, scope: "org_id = $1", scopeParameterCount: 1,
        fields: [
            ListField("id", .uuid, sqlType: "uuid"),
            ListField("action", .string, sqlType: "text", filters: [.eq, .startsWith]),
            ListField("resource_type", .string, sqlType: "text", nullable: true, filters: [.eq]),
            ListField("resource_id", .uuid, sqlType: "uuid", nullable: true, filters: [.eq]),
            ListField("user_id", .userReference, sqlType: "uuid", nullable: true, filters: [.eq]),
            ListField("api_key_id", .uuid, sqlType: "uuid", nullable: true, filters: [.eq]),
            ListField("created_at", .datetime, sqlType: "timestamptz", filters: [.gte, .lt], sortable: true),
        ]
    )

    public init(database: Database) {
        self.database = database
    }

    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.on(.listAuditLogs) { request, context in try await list(request, context) }
    }

    func list(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.read)
        var list = try ListRequest(request: request, query: Self.query, pagination: Self.pagination, includes: [], principal: principal)
        let scope = TenantScope(principal: principal)
        guard let format = ExportFormat(accept: request.headers[.accept]) else {
            let page = try await Self.query.page(
                list, scope: scope, on: database.client, logger: context.logger, decode: AuditEntry.init(row:), id: \.id
            )
            return .list(page)
        }
        guard request.uri.queryParameters["limit"] == nil else {
            throw APIError.validation(["limit": ["an export answers every matching row: leave limit out, or ask for JSON pages"]])
        }
        list.limit = Self.exportBatch
        // The first batch is read before answering, so a failure is still an error envelope.
        let first = try await Self.query.page(list, scope: scope, on: database.client, logger: context.logger, decode: AuditEntry.init(row:), id: \.id)
        let client = database.client
        let logger = context.logger
        let batches = list
        let body = ResponseBody { writer in
            var page = first
            var buffer = ByteBuffer()
            if format == .csv { AuditEntry.writeCSVHeader(into: &buffer) }
            while true {
                for entry in page.items { format == .csv ? entry.writeCSV(into: &buffer) : entry.writeNDJSON(into: &buffer) }
                try await writer.write(buffer)
                buffer.clear()
                guard let next = page.nextCursor else { break }
                var following = batches
                following.cursor = next
                page = try await Self.query.page(following, scope: scope, on: client, logger: logger, decode: AuditEntry.init(row:), id: \.id)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: format.contentType, .contentDisposition: format.disposition], body: body)
    }

    /// The export a request's `Accept` asks for; nil for JSON pages.
    enum ExportFormat {
        case csv
        case ndjson

        init?(accept: String?) {
            guard let accept = accept?.lowercased() else { return nil }
            if accept.contains("text/csv") {
                self = .csv
            } else if accept.contains("application/x-ndjson") {
                self = .ndjson
            } else {
                return nil
            }
        }

        var contentType: String { self == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson" }
        var disposition: String { #"attachment; filename="audit-logs.\#(self == .csv ? "csv" : "ndjson")""# }
    }
}

/// One row of `audit_logs`, as the API answers it.
struct AuditEntry: JSONWritable, Sendable {
    static let columns = "id, action, resource_type, resource_id, user_id, api_key_id, real_user_id, subject_id, changes, details, ip, user_agent, request_id, created_at"

    var id: UUID
    var action: String
    var resourceType: String?
    var resourceID: UUID?
    var userID: UUID?
    var apiKeyID: UUID?
    var realUserID: UUID?
    var subjectID: UUID?
    var changes: JSONValue?
    var details: JSONValue?
    var ip: String?
    var userAgent: String?
    var requestID: String?
    var createdAt: Timestamp

    init(row cells: PostgresRandomAccessRow) throws {
        id = try cells[0].decode(UUID.self)
        action = try cells[1].decode(String.self)
        resourceType = try cells[2].decode(String?.self)
        resourceID = try cells[3].decode(UUID?.self)
        userID = try cells[4].decode(UUID?.self)
        apiKeyID = try cells[5].decode(UUID?.self)
        realUserID = try cells[6].decode(UUID?.self)
        subjectID = try cells[7].decode(UUID?.self)
        changes = try cells[8].decode(JSONValue?.self)
        details = try cells[9].decode(JSONValue?.self)
        ip = try cells[10].decode(String?.self)
        userAgent = try cells[11].decode(String?.self)
        requestID = try cells[12].decode(String?.self)
        createdAt = try cells[13].decode(Timestamp.self)
    }

    func writeJSON(into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"id":"#)
        buffer.writeJSON(id)
        buffer.writeStaticString(#","action":"#)
        buffer.writeJSON(action)
        buffer.writeStaticString(#","resource_type":"#)
        buffer.writeJSON(resourceType)
        buffer.writeStaticString(#","resource_id":"#)
        buffer.writeJSON(resourceID)
        buffer.writeStaticString(#","user_id":"#)
        buffer.writeJSON(userID)
        buffer.writeStaticString(#","api_key_id":"#)
        buffer.writeJSON(apiKeyID)
        buffer.writeStaticString(#","real_user_id":"#)
        buffer.writeJSON(realUserID)
        buffer.writeStaticString(#","subject_id":"#)
        buffer.writeJSON(subjectID)
        buffer.writeStaticString(#","changes":"#)
        buffer.writeJSON(changes)
        buffer.writeStaticString(#","details":"#)
        buffer.writeJSON(details)
        buffer.writeStaticString(#","ip":"#)
        buffer.writeJSON(ip)
        buffer.writeStaticString(#","user_agent":"#)
        buffer.writeJSON(userAgent)
        buffer.writeStaticString(#","request_id":"#)
        buffer.writeJSON(requestID)
        buffer.writeStaticString(#","created_at":"#)
        buffer.writeJSON(createdAt)
        buffer.writeStaticString("}")
    }

    func writeNDJSON(into buffer: inout ByteBuffer) {
        writeJSON(into: &buffer)
        buffer.writeStaticString("\n")
    }

    static func writeCSVHeader(into buffer: inout ByteBuffer) {
        buffer.writeStaticString(
            "id,created_at,action,resource_type,resource_id,user_id,api_key_id,real_user_id,subject_id,changes,details,ip,user_agent,request_id\r\n"
        )
    }

    /// One CSV record (RFC 4180). A text cell that a spreadsheet would run as a formula (`=`, `+`,
    /// `-`, `@`, tab, carriage return first) is prefixed with `'`, as OWASP advises: a user agent
    /// is the client's to choose.
    func writeCSV(into buffer: inout ByteBuffer) {
        let json = { (value: JSONValue?) -> String? in
            guard let value else { return nil }
            var buffer = ByteBuffer()
            value.writeJSON(into: &buffer)
            return String(buffer: buffer)
        }
        let cells: [String?] = [
            id.lowercasedString, createdAt.rfc3339, action, resourceType, resourceID?.lowercasedString,
            userID?.lowercasedString, apiKeyID?.lowercasedString, realUserID?.lowercasedString,
            subjectID?.lowercasedString, json(changes), json(details), ip, userAgent, requestID,
        ]
        for (index, cell) in cells.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            guard let cell else { continue }
            Self.writeCSVCell(cell, isText: ![0, 1, 4, 5, 6, 7, 8, 9, 10].contains(index), into: &buffer)
        }
        buffer.writeStaticString("\r\n")
    }

    static func writeCSVCell(_ cell: String, isText: Bool, into buffer: inout ByteBuffer) {
        var text = cell
        if isText, let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            buffer.writeString(text)
            return
        }
        buffer.writeStaticString("\"")
        buffer.writeString(text.replacingOccurrences(of: "\"", with: "\"\""))
        buffer.writeStaticString("\"")
    }
}
