import TrellisOpenAPI
import TrellisVocabulary

/// The path items of the built-in account endpoints, one group at a time, written from the
/// routes of ``AccountRoute/all``.
///
/// Operations need a bearer token (the document's default security) unless they declare
/// `security: []`. Errors reference the shared ``ErrorResponse``s; an operation narrows what a
/// status means with a `description` next to the `$ref`.
enum AccountPaths {
    /// A route and its description.
    struct Operation {
        let route: AccountRoute
        let document: Document
    }

    /// An error an operation can answer with, and optionally what it means for this operation.
    struct Failure {
        let response: ErrorResponse
        let meaning: String?
    }

    static func failure(_ response: ErrorResponse, _ meaning: String? = nil) -> Failure {
        Failure(response: response, meaning: meaning)
    }

    /// The path item of `operations`, which share one path template: parameters common to them
    /// first, then each operation under its method.
    static func item(parameters: [Document] = [], _ operations: Operation...) -> (String, Document) {
        let template = operations.first?.route.template ?? AccountRoute.base
        precondition(operations.allSatisfy { $0.route.template == template }, "one path item holds one path template")
        var entries: [(String, Document)] = parameters.isEmpty ? [] : [("parameters", .array(parameters))]
        entries += operations.map { ($0.route.method.rawValue, $0.document) }
        return (template, .object(entries))
    }

    static func ref(_ schema: String) -> Document {
        ["$ref": .string("#/components/schemas/\(schema)")]
    }

    /// A JSON response whose body is the component schema `schema`.
    static func json(_ schema: String, _ description: String) -> Document {
        ["description": .string(description), "content": ["application/json": ["schema": ref(schema)]]]
    }

    static func noContent(_ description: String) -> Document {
        ["description": .string(description)]
    }

    /// A `{name}` path parameter.
    static func pathParameter(_ name: String, _ description: String, schema: Document) -> Document {
        ["name": .string(name), "in": "path", "required": true, "description": .string(description), "schema": schema]
    }

    /// One operation of `route`. Failures every operation shares are added: 400, 413 and 415 with
    /// a body, 401 when authenticated, 422 (an unknown query parameter), 500 and 503 always.
    static func operation(
        _ route: AccountRoute, summary: String, description: String? = nil, authenticated: Bool = true,
        parameters: [Document] = [], body: String? = nil, bodyRequired: Bool = true, success: (String, Document),
        failures: [Failure] = []
    ) -> Operation {
        var entries: [(String, Document)] = [("operationId", .string(route.operationID)), ("summary", .string(summary))]
        if let description { entries.append(("description", .string(description))) }
        entries.append(("tags", [.string(route.group.tag)]))
        if !authenticated { entries.append(("security", [])) }
        if !parameters.isEmpty { entries.append(("parameters", .array(parameters))) }
        if let body {
            entries.append(("requestBody", ["required": .bool(bodyRequired), "content": ["application/json": ["schema": ref(body)]]]))
        }
        var all = failures
        var shared: [ErrorResponse] = [.internalError, .unavailable]
        if authenticated { shared.insert(.unauthorized, at: 0) }
        if body != nil { shared.insert(contentsOf: [.badRequest, .payloadTooLarge, .unsupportedMediaType], at: 0) }
        for response in shared where !all.contains(where: { $0.response == response }) { all.append(failure(response)) }
        if !all.contains(where: { $0.response == .validationFailed }) {
            all.append(failure(.validationFailed, "The query has a parameter this operation does not accept."))
        }
        let errors = all.map { failure -> (String, Document) in
            var response: [(String, Document)] = [("$ref", .string("#/components/responses/\(failure.response.name)"))]
            if let meaning = failure.meaning { response.append(("description", .string(meaning))) }
            return (failure.response.status, .object(response))
        }
        entries.append(("responses", .object([success] + errors.sorted { $0.0 < $1.0 })))
        return Operation(route: route, document: .object(entries))
    }
}
