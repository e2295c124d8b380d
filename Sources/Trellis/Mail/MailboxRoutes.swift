import Foundation
import Hummingbird
import NIOCore
import PostgresNIO

/// `/dev/mailbox`: the newest 100 messages of `email_outbox`, whatever the transport, and each
/// message's HTML at `/dev/mailbox/<id>`. Mounted in development only (`TRELLIS_ENV=development`):
/// it shows every user's mail, reset links included.
public struct MailboxRoutes: Sendable {
    public let database: Database

    /// The list's policy: inline style only, no script, frames of this origin (the messages).
    static let listPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; frame-ancestors 'none'"
    /// A message's policy: its inline style and data images, nothing else; framed by the list only.
    static let messagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"

    public init(database: Database) {
        self.database = database
    }

    public func add(to router: Router<TrellisRequestContext>) {
        router.get("/dev/mailbox") { request, context in try await list(request, context) }
        router.get("/dev/mailbox/:id") { request, context in try await message(request, context) }
    }

    func list(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        let rows = try await database.client.query(
            "SELECT id, recipient, subject, status, coalesce(transport, ''), created_at FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT 100",
            logger: context.logger
        )
        var items = ""
        for try await (id, recipient, subject, status, transport, created) in rows.decode((UUID, String, String, String, String, Timestamp).self) {
            let link = "/dev/mailbox/\(id.lowercasedString)"
            items += """
                <tr><td>\(Self.escape(created.description))</td><td>\(Self.escape(recipient))</td>\
                <td><a href="\(link)" target="message">\(Self.escape(subject))</a></td><td>\(Self.escape(status)) \(Self.escape(transport))</td></tr>

                """
        }
        let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Mailbox</title>
            <style>body{font-family:system-ui,sans-serif;margin:24px}table{border-collapse:collapse;width:100%}
            td,th{border-bottom:1px solid #e4e4e7;padding:6px 8px;text-align:left;font-size:14px}
            iframe{width:100%;height:640px;border:1px solid #e4e4e7;margin-top:16px}</style></head>
            <body><h1>Mailbox</h1><p>Every email the server queued, newest first (development only).</p>
            <table><thead><tr><th>Queued</th><th>To</th><th>Subject</th><th>Status</th></tr></thead><tbody>
            \(items)</tbody></table>
            <iframe name="message" title="The selected message"></iframe></body></html>
            """
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: Self.listPolicy],
            body: .init(byteBuffer: ByteBuffer(string: page))
        )
    }

    func message(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID("id")
        let rows = try await database.client.query("SELECT body, html FROM email_outbox WHERE id = \(id)", logger: context.logger)
        for try await (text, html) in rows.decode((String, String?).self) {
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: Self.messagePolicy],
                body: .init(byteBuffer: ByteBuffer(string: html ?? EmailDelivery.html(from: text)))
            )
        }
        throw APIError.notFound("message")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
