import TrellisVocabulary

/// One operation of the built-in account endpoints: the method and path the runtime mounts it at
/// and the OpenAPI document describes it under, both relative to `/api/v1`.
///
/// Each route is defined once (``AccountRoute/all``); `TrellisServer` mounts its handlers at these
/// values and ``AccountsOpenAPI`` writes the document from them.
package struct AccountRoute: Sendable, Hashable, CustomStringConvertible {
    package enum Method: String, Sendable, Hashable {
        case get
        case post
        case patch
        case delete
    }

    /// A piece of the path between slashes.
    package enum Segment: Sendable, Hashable, ExpressibleByStringLiteral {
        case literal(String)
        /// A path parameter: `name` in the document, `capture` in the router. Hummingbird's router
        /// needs one capture name at one position among sibling routes
        /// (`/invitations/:id` and `/invitations/:id/accept`), the document can say what it is.
        case parameter(String, capture: String)

        /// A parameter the router captures under the name the document gives it.
        package static func parameter(_ name: String) -> Segment { .parameter(name, capture: name) }

        package init(stringLiteral value: String) { self = .literal(value) }
    }

    /// The OpenAPI `operationId`.
    package let operationID: String
    package let group: AccountGroup
    package let method: Method
    package let segments: [Segment]

    package init(_ operationID: String, _ group: AccountGroup, _ method: Method, _ segments: [Segment]) {
        self.operationID = operationID
        self.group = group
        self.method = method
        self.segments = segments
    }

    /// Where every account route lives.
    package static let base = "/api/v1"

    /// The document's path template: `/api/v1/invitations/{token}/accept`.
    package var template: String {
        Self.base + "/" + segments.map { segment in
            switch segment {
            case .literal(let text): text
            case .parameter(let name, _): "{\(name)}"
            }
        }.joined(separator: "/")
    }

    /// The path the router mounts under ``base``: `invitations/:id/accept`.
    package var routerPath: String {
        segments.map { segment in
            switch segment {
            case .literal(let text): text
            case .parameter(_, let capture): ":\(capture)"
            }
        }.joined(separator: "/")
    }

    /// `POST /api/v1/invitations/{token}/accept`.
    package var description: String { "\(method.rawValue.uppercased()) \(template)" }
}
