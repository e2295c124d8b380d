import Yams

/// Reads Yams nodes into typed values, recording a diagnostic (and returning nil) on each mismatch.
///
/// One reader serves one file; `SpecParser` drives it and collects `diagnostics`.
struct NodeReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) {
        self.file = file
    }

    /// What a file holds: a YAML document, nothing, or invalid YAML (already reported).
    enum Composed {
        case document(Node)
        case empty
        case invalid
    }

    /// Composes `yaml` into its root node, reporting a syntax error at its line and column.
    mutating func compose(_ yaml: String) -> Composed {
        do {
            return try Yams.compose(yaml: yaml).map(Composed.document) ?? .empty
        } catch let error as YamlError {
            reportSyntax(error)
        } catch {
            self.error(at: SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(error)")
        }
        return .invalid
    }

    private mutating func reportSyntax(_ error: YamlError) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            self.error(
                at: SourceLocation(file: file, line: mark.line, column: mark.column),
                "invalid YAML: \(problem)", fix: "check the indentation and quoting on this line"
            )
        default:
            self.error(at: SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }

    /// A mapping entry with its key's location.
    struct Entry {
        var key: String
        var keyLocation: SourceLocation
        var value: Node
    }

    func location(of node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    mutating func error(_ node: Node, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(at: location(of: node), message, fix: fix))
    }

    mutating func error(at location: SourceLocation, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(at: location, message, fix: fix))
    }

    /// The entries of a mapping, in order; unknown and duplicate keys are reported and dropped.
    mutating func entries(_ node: Node, of what: String, allowed: [String]) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            error(node, "expected \(what) to be a mapping of keys to values, found \(describe(node))")
            return nil
        }
        var seen: [String: SourceLocation] = [:]
        var result: [Entry] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                error(keyNode, "expected a plain key in \(what)")
                continue
            }
            let key = scalar.string
            let keyLocation = location(of: keyNode)
            if let first = seen[key] {
                error(at: keyLocation, "duplicate key '\(key)' in \(what)", fix: "remove it; it is first set at \(first.line):\(first.column)")
                continue
            }
            seen[key] = keyLocation
            guard allowed.contains(key) else {
                error(at: keyLocation, "unknown key '\(key)' in \(what)", fix: Suggestions.fix(for: key, among: allowed))
                continue
            }
            result.append(Entry(key: key, keyLocation: keyLocation, value: value))
        }
        return result
    }

    mutating func string(_ node: Node, for key: String) -> String? {
        guard case .scalar(let scalar) = node, !isNull(scalar) else {
            error(node, "expected '\(key)' to be a string, found \(describe(node))")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node, for key: String) -> Bool? {
        guard case .scalar(let scalar) = node, let value = Bool.construct(from: scalar) else {
            error(node, "expected '\(key)' to be true or false, found \(describe(node))", fix: "write \(key): true or \(key): false")
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node, for key: String) -> Int64? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
            let value = Int64(scalar.string)
        else {
            error(node, "expected '\(key)' to be a whole number, found \(describe(node))")
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node, for key: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let value = integer(node, for: key) else { return nil }
        guard range.contains(value) else {
            error(node, "expected '\(key)' between \(range.lowerBound) and \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    /// A sequence of scalars; a single scalar is accepted as a one-element list.
    mutating func strings(_ node: Node, for key: String) -> [Located<String>]? {
        switch node {
        case .sequence(let sequence):
            var values: [Located<String>] = []
            for item in sequence {
                guard let value = string(item, for: "an item of '\(key)'") else { continue }
                values.append(Located(value, at: location(of: item)))
            }
            return values
        default:
            error(node, "expected '\(key)' to be a list like [a, b], found \(describe(node))")
            return nil
        }
    }

    /// An enumerated value, with a did-you-mean on a miss.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: Node, for key: String, as: T.Type) -> T?
    where T.RawValue == String {
        guard let raw = string(node, for: key) else { return nil }
        if let value = T(rawValue: raw) { return value }
        error(node, "unknown \(key) '\(raw)'", fix: Suggestions.fix(for: raw, among: T.allCases.map(\.rawValue)))
        return nil
    }

    func isNull(_ scalar: Node.Scalar) -> Bool {
        (scalar.style == .plain || scalar.style == .any) && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(scalar) { return "nothing" }
            return "'\(scalar.string)'"
        }
    }
}
