import Foundation
import NIOCore
import Testing
import Trellis

extension SpecHarness {
    /// The operations the router serves and the operations the OpenAPI document describes are the
    /// same set: nothing served goes undocumented, nothing documented answers 404.
    /// Path parameters match whatever their names (`/invitations/{id}/accept` is the URL the
    /// document writes `/invitations/{token}/accept`). The routes for people, not API clients
    /// (``TrellisServer/undocumentedRoutes``: the `/docs` page), are left out.
    public func routesMatchDocument(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let served = Set(try await routes().subtracting(TrellisServer.undocumentedRoutes).map(Self.unnamingParameters))
        let documented = Set(try Self.operations(in: openAPIJSON).map(Self.unnamingParameters))
        let undocumented = served.subtracting(documented).sorted()
        let unserved = documented.subtracting(served).sorted()
        if !undocumented.isEmpty {
            Issue.record("The router serves operations the OpenAPI document does not describe: \(undocumented.joined(separator: ", "))", sourceLocation: sourceLocation)
        }
        if !unserved.isEmpty {
            Issue.record("The OpenAPI document describes operations no route serves: \(unserved.joined(separator: ", "))", sourceLocation: sourceLocation)
        }
    }

    /// The document as `/openapi.json` serves it passes openapi-spec-validator (the executable
    /// `OpenAPIValidator.path` names).
    public func servedDocumentPassesValidator(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard let validator = OpenAPIValidator.path else { throw SpecSetupError("\(OpenAPIValidator.variable) is not set") }
        let served = try await session("openapi-document") { session in
            try await session.client.send(.get, "/openapi.json", as: nil)
        }
        #expect(served.status == .ok, "GET /openapi.json: \(served.summary)", sourceLocation: sourceLocation)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-openapi-\(getpid())-\(databaseName).json")
        try Data(served.body.readableBytesView).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: validator)
        process.arguments = [file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openapi-spec-validator refuses the served document:\n\(report)", sourceLocation: sourceLocation)
    }

    /// `GET /tasks/{}` for `GET /tasks/{id}`.
    static func unnamingParameters(_ operation: String) -> String {
        operation.replacing(#/\{[^}/]*\}/#, with: "{}")
    }

    /// `METHOD /path` of every operation of an OpenAPI document.
    static func operations(in json: String) throws -> Set<String> {
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        guard let paths = try JSONValue.parse(ByteBuffer(string: json))["paths"]?.objectValue else {
            throw SpecSetupError("the OpenAPI document has no paths")
        }
        var operations: Set<String> = []
        for (path, item) in paths {
            for method in item.objectValue?.keys ?? [:].keys where methods.contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }
}

/// Where openapi-spec-validator is: the executable `TRELLIS_OPENAPI_VALIDATOR` names (`make test`
/// sets it to the project's pinned one). Tests that need it are skipped, never passed, without it.
public enum OpenAPIValidator {
    public static let variable = "TRELLIS_OPENAPI_VALIDATOR"

    public static var path: String? {
        guard let path = ProcessInfo.processInfo.environment[variable], FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return path
    }

    public static var isAvailable: Bool { path != nil }
}
