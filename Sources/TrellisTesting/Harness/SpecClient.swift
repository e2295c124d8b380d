import HTTPTypes
import HummingbirdTesting
import NIOCore
import Trellis

/// Sends requests to the app under test as a member or an API key.
public struct SpecClient: Sendable {
    let client: any TestClientProtocol
    let tokens: AccessTokens

    /// Sends `method uri` as `actor` (anonymous when nil) with an optional body: `json` as
    /// `application/json`, or `text` with `contentType`.
    public func send(
        _ method: HTTPRequest.Method, _ uri: String, as actor: SpecActor?, json: JSONValue? = nil,
        text: String? = nil, contentType: String? = nil
    ) async throws -> SpecResponse {
        var headers: HTTPFields = [:]
        switch actor {
        case .member(let principal): headers[.authorization] = "Bearer \(try await tokens.issue(for: principal))"
        case .apiKey(let key): headers[.authorization] = "Bearer \(key)"
        case nil: break
        }
        var body: ByteBuffer?
        if let json {
            var buffer = ByteBuffer()
            json.writeJSON(into: &buffer)
            body = buffer
            headers[.contentType] = "application/json"
        } else if let text {
            body = ByteBuffer(string: text)
        }
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        return SpecResponse(method: method, uri: uri, status: response.status, headers: response.headers, body: response.body)
    }
}

/// A response, with its JSON envelope read.
public struct SpecResponse: Sendable {
    public let method: HTTPRequest.Method
    public let uri: String
    public let status: HTTPResponse.Status
    public let headers: HTTPFields
    public let body: ByteBuffer

    /// The body as JSON; nil when it is empty or not JSON.
    public var json: JSONValue? { try? JSONValue.parse(body) }
    /// `data` of a success envelope.
    public var data: JSONValue? { json?["data"] }
    /// `data.id` of a success envelope.
    public var id: String? { data?["id"]?.stringValue }
    /// `error.code` of an error envelope.
    public var errorCode: String? { json?["error"]?["code"]?.stringValue }
    /// The keys of `error.details`.
    public var detailKeys: Set<String> { Set(json?["error"]?["details"]?.objectValue?.keys ?? [:].keys) }

    /// `GET /api/v1/tasks/… answered 404 {"error":…}`, shortened, for failure messages.
    public var summary: String {
        let text = String(buffer: body)
        let shown = text.count > 300 ? text.prefix(300) + "…" : Substring(text)
        return "\(method.rawValue) \(uri) answered \(status.code)\(shown.isEmpty ? "" : " \(shown)")"
    }
}
