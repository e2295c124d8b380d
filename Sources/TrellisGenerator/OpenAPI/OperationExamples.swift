import TrellisOpenAPI

/// Gives every JSON request body and success response of the document an `example`, so a docs
/// page and a generated client show a realistic request and answer for each operation.
///
/// An operation that already has one keeps it (resources get theirs from ``ResourceExamples``, the
/// values the generated tests send); the others get one built from the schema: the schema's own
/// `examples` first, then a value that fits its type, format and bounds.
struct OperationExamples {
    /// The component schemas, by name, for following `$ref`s.
    let schemas: [String: Document]

    init(schemas: [(String, Document)]) {
        self.schemas = Dictionary(schemas, uniquingKeysWith: { first, _ in first })
    }

    /// `paths` with an example in every JSON body and 2xx response that has a schema.
    func filling(_ paths: [(String, Document)]) -> [(String, Document)] {
        paths.map { path, item in
            (path, item.mapEntries { method, operation in
                guard method != "parameters" else { return operation }
                return operation
                    .mapEntry("requestBody") { $0.mapEntry("content") { content in content.mapEntry("application/json", withExample) } }
                    .mapEntry("responses") { responses in
                        responses.mapEntries { status, response in
                            guard status.hasPrefix("2") else { return response }
                            return response.mapEntry("content") { content in content.mapEntry("application/json", withExample) }
                        }
                    }
            })
        }
    }

    private func withExample(_ media: Document) -> Document {
        guard media["example"] == nil, let schema = media["schema"], let example = example(of: schema, depth: 0) else { return media }
        guard case .object(var entries) = media else { return media }
        entries.append(("example", example))
        return .object(entries)
    }

    /// A value that `schema` accepts, or nil when none can be made from what it says.
    func example(of schema: Document, depth: Int) -> Document? {
        guard depth < 12 else { return nil }
        if case .string(let reference) = schema["$ref"], reference.hasPrefix("#/components/schemas/") {
            return schemas[String(reference.dropFirst("#/components/schemas/".count))].flatMap { example(of: $0, depth: depth + 1) }
        }
        if case .array(let examples) = schema["examples"], let first = examples.first { return first }
        if let constant = schema["const"] { return constant }
        if case .array(let values) = schema["enum"] { return values.first { $0 != .null } }
        switch type(of: schema) {
        case "string": return string(schema)
        case "integer":
            guard case .integer(let low) = schema["minimum"] ?? .integer(1) else { return 1 }
            if case .integer(let high) = schema["maximum"], high < max(low, 1) { return .integer(high) }
            return .integer(max(low, 1))
        case "number": return 1
        case "boolean": return false
        case "null": return .null
        case "array":
            guard let items = schema["items"] else { return [] }
            return example(of: items, depth: depth + 1).map { [$0] } ?? []
        case "object":
            guard case .object(let properties) = schema["properties"] ?? .object([]) else { return nil }
            let required: Set<String> = {
                guard case .array(let names) = schema["required"] else { return [] }
                return Set(names.compactMap { if case .string(let name) = $0 { name } else { nil } })
            }()
            var entries: [(String, Document)] = []
            for (name, property) in properties {
                if let value = example(of: property, depth: depth + 1) {
                    entries.append((name, value))
                } else if required.contains(name) {
                    return nil
                }
            }
            return .object(entries)
        case nil: return ["key": "value"]  // any JSON value
        default: return nil
        }
    }

    /// The type a schema names; of `[T, "null"]`, `T`.
    private func type(of schema: Document) -> String? {
        switch schema["type"] {
        case .string(let name): return name
        case .array(let names) where names.contains(.string("null")): return "null"  // an optional value: unset is the usual case
        case .array(let names): return names.compactMap { if case .string(let name) = $0, name != "null" { name } else { nil } }.first
        default: return schema["properties"] != nil ? "object" : nil
        }
    }

    private func string(_ schema: Document) -> Document? {
        switch schema["format"] {
        case "uuid": return .string(ResourceExamples.id.stringValue ?? "")
        case "date-time": return ResourceExamples.createdAt
        case "date": return "2026-01-31"
        case "email": return "ada@example.com"
        case "uri": return "https://example.com"
        case "password": return "correct horse battery staple"
        default: break
        }
        if let pattern = schema["pattern"], pattern != .string(SchemaPattern.noNUL) { return nil }  // no guessing a pattern
        var text = "Example"
        if case .integer(let minimum) = schema["minLength"] { while text.count < minimum { text += " text" } }
        if case .integer(let maximum) = schema["maxLength"] { text = String(text.prefix(Int(maximum))) }
        return .string(text)
    }
}

extension Document {
    /// The member `key` of an object.
    subscript(key: String) -> Document? {
        guard case .object(let entries) = self else { return nil }
        return entries.first { $0.0 == key }?.1
    }

    /// The text of a string.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// An object with `transform` applied to the value of `key` (unchanged when it has none).
    func mapEntry(_ key: String, _ transform: (Document) -> Document) -> Document {
        guard case .object(let entries) = self else { return self }
        return .object(entries.map { $0.0 == key ? ($0.0, transform($0.1)) : $0 })
    }

    /// An object with `transform` applied to every value.
    func mapEntries(_ transform: (String, Document) -> Document) -> Document {
        guard case .object(let entries) = self else { return self }
        return .object(entries.map { ($0.0, transform($0.0, $0.1)) })
    }
}
