import Foundation
import HTTPTypes
import Testing
import Trellis

extension ResourceChecks {
    /// A query parameter the resource does not know answers 422 naming it (a client must never
    /// believe it filtered), and a method a path does not serve answers 405 with `Allow`.
    public func refusesUnknownParametersAndMethods(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("unknown-parameters-and-methods") { session in
            let home = session.home
            let row = try await create(row: 0, in: home, session: session)
            let unknown = "not_a_filter_of_\(contract.table)"
            let list = try await session.client.send(.get, "\(path)?\(unknown)=1", as: try actor(for: .list, in: home))
            expectRefusal(list, naming: unknown, "Query check broken", "a list with ?\(unknown)=1", at: sourceLocation)
            let read = try await session.client.send(.get, "\(path)/\(row.id)?\(unknown)=1", as: try actor(for: .read, in: home))
            expectRefusal(read, naming: unknown, "Query check broken", "a read with ?\(unknown)=1", at: sourceLocation)

            var itemMethods: [HTTPRequest.Method] = [.delete, .get]
            if contract.actions.contains(.update) { itemMethods.append(.patch) }
            let expectations: [(String, [HTTPRequest.Method])] = [(path, [.get, .post]), ("\(path)/\(row.id)", itemMethods)]
            for (uri, served) in expectations {
                let response = try await session.client.send(.put, uri, as: .member(home.principal(.owner)), json: [:])
                let allow = Set((response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                expect(
                    response.status == .methodNotAllowed && allow == Set(served.map(\.rawValue)), "Method check broken",
                    "\(response.summary) with Allow: \(response.headers[.allow] ?? "none"); expected 405 with Allow: \(served.map(\.rawValue).joined(separator: ", "))",
                    at: sourceLocation
                )
            }
        }
    }

    /// A body that is not a JSON object of unique keys is refused before anything is read from
    /// it: 415 for another media type (which keeps cross-site form posts out), 400 for a key sent
    /// twice.
    public func refusesBodiesThatAreNotJSON(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("not-json") { session in
            let home = session.home
            let creator = try actor(for: .create, in: home)
            let object = try await body(row: 0, in: home, session: session)
            let valid = JSONValue.object(object).jsonText
            for mediaType in ["text/plain", "application/x-www-form-urlencoded"] {
                let response = try await session.client.send(.post, path, as: creator, text: valid, contentType: mediaType)
                expect(
                    response.status == .unsupportedMediaType, "Body check broken",
                    "a create sent as \(mediaType): \(response.summary); expected 415", at: sourceLocation
                )
            }
            // The valid body with its first member sent a second time, first.
            let (key, value) = object.min { $0.key < $1.key } ?? ("key", "value")
            let twice = "{\(JSONValue.string(key).jsonText):\(value.jsonText),\(object.isEmpty ? "\"key\":\"again\"}" : String(valid.dropFirst()))"
            let response = try await session.client.send(.post, path, as: creator, text: twice, contentType: "application/json")
            expect(
                response.status == .badRequest && response.errorCode == "bad_request", "Body check broken",
                "a create naming a key twice: \(response.summary); expected 400", at: sourceLocation
            )
            let listed = try await listIDs(as: try actor(for: .list, in: home), session: session)
            expect(listed.isEmpty || contract.tenancy == .shared, "Body check broken", "refused creates still made rows: \(listed)", at: sourceLocation)
        }
    }
}
