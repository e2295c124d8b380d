import HTTPTypes
import HummingbirdTesting
import NIOCore
import Trellis

/// Sends requests to the app under test as a member or an API key.
public struct SpecClient: Sendable {
    let client: any TestClientProtocol
    let tokens: AccessTokens
    /// The collections whose PATCH, DELETE, restore and actions need `If-Match` (`concurrency: required`): a
    /// check that is not about versions sends `If-Match: *` there (any version); `anyVersion: false`
    /// sends none.
    var ifMatchRequired: [String] = []

    /// Sends `method uri` as `actor` (anonymous when nil) with an optional body: `json` as
    /// `application/json`, or `text` with `contentType`; `headers` go along (`If-Match`).
    public func send(
        _ method: HTTPRequest.Method, _ uri: String, as actor: SpecActor?, json: JSONValue? = nil,
        text: String? = nil, contentType: String? = nil, headers extra: HTTPFields = [:], anyVersion: Bool = true
    ) async throws -> SpecResponse {
        let (headers, body) = try await parts(
            method, uri, as: actor, json: json, text: text, contentType: contentType, headers: extra, anyVersion: anyVersion
        )
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        return SpecResponse(method: method, uri: uri, status: response.status, headers: response.headers, body: response.body)
    }

    /// One request of ``sendAtOnce(_:connections:)``.
    public struct Request: Sendable {
        public var method: HTTPRequest.Method
        public var uri: String
        public var actor: SpecActor?
        public var json: JSONValue?
        public var headers: HTTPFields

        public init(_ method: HTTPRequest.Method, _ uri: String, as actor: SpecActor?, json: JSONValue? = nil, headers: HTTPFields = [:]) {
            self.method = method
            self.uri = uri
            self.actor = actor
            self.json = json
            self.headers = headers
        }
    }

    /// Sends each of `requests` with `connections` of them in flight at once, each over a
    /// connection of its own: the live app's test client has one connection, which carries one
    /// request at a time. In process (no socket) every request goes at once. The answers come in
    /// the order of `requests`.
    public func sendAtOnce(_ requests: [Request], connections: Int = 8) async throws -> [SpecResponse] {
        var made: [(method: HTTPRequest.Method, uri: String, headers: HTTPFields, body: ByteBuffer?)] = []
        for request in requests {
            let (headers, body) = try await parts(request.method, request.uri, as: request.actor, json: request.json, headers: request.headers)
            made.append((request.method, request.uri, headers, body))
        }
        let prepared = made
        guard let port = client.port else {
            return try await withThrowingTaskGroup(of: (Int, SpecResponse).self) { group in
                for (index, request) in prepared.enumerated() {
                    group.addTask {
                        let response = try await client.executeRequest(uri: request.uri, method: request.method, headers: request.headers, body: request.body)
                        return (index, SpecResponse(method: request.method, uri: request.uri, status: response.status, headers: response.headers, body: response.body))
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }.sorted { $0.key < $1.key }.map(\.value)
            }
        }
        let answers = try await withThrowingTaskGroup(of: [(Int, SpecResponse)].self) { group in
            for connection in 0..<min(connections, prepared.count) {
                let share = prepared.indices.filter { $0 % connections == connection }
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                        var answers: [(Int, SpecResponse)] = []
                        for index in share {
                            let request = prepared[index]
                            let response = try await client.execute(
                                .init(request.uri, method: request.method, authority: "127.0.0.1", headers: request.headers, body: request.body)
                            )
                            let body = response.body ?? ByteBuffer()
                            answers.append((index, SpecResponse(method: request.method, uri: request.uri, status: response.status, headers: response.headers, body: body)))
                        }
                        return answers
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        return answers.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The headers and body of `method uri` as `actor` (anonymous when nil), with `extra` headers
    /// and, for a write to a collection in ``ifMatchRequired``, `If-Match: *` unless it has one or
    /// `anyVersion` is false.
    private func parts(
        _ method: HTTPRequest.Method, _ uri: String, as actor: SpecActor?, json: JSONValue?, text: String? = nil,
        contentType: String? = nil, headers extra: HTTPFields, anyVersion: Bool = true
    ) async throws -> (headers: HTTPFields, body: ByteBuffer?) {
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
        headers.append(contentsOf: extra)
        // A POST below a row (`/{id}/restore`, `/{id}/<action>`) writes it too.
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        let writes = method == .patch || method == .delete
            || (method == .post && ifMatchRequired.contains { path.hasPrefix($0 + "/") && path.dropFirst($0.count + 1).contains("/") })
        if anyVersion, headers[.ifMatch] == nil, writes, ifMatchRequired.contains(where: { uri.hasPrefix($0 + "/") }) {
            headers[.ifMatch] = "*"
        }
        return (headers, body)
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
