import Foundation
import HTTPTypes
import Testing
import Trellis

extension ResourceChecks {
    /// Every create, update and delete leaves, in its own transaction, an audit row in the acting
    /// organization (`<type>.created`, `.updated`, `.deleted`, by the acting user) with the fields
    /// it changed (all of a created row's as `after`, only the changed ones of an update as
    /// `before`/`after`), and a change event of the same type holding the row. A sensitive field
    /// is recorded as `{"changed": true}`, and its value is in neither.
    public func auditsEveryMutation(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard contract.canPerform(.create) else { return }
        try await session("audit") { session in
            let home = session.home
            let creator = try actor(for: .create, in: home)
            let row = try await create(row: 0, in: home, session: session)
            guard let id = row.uuid else { return }
            var expected: [(verb: String, before: JSONValue?, after: JSONValue?)] = [("created", nil, row.data)]
            let sensitive = Set(contract.fields.filter(\.sensitive).map(\.name))
            var secrets = row.sent.filter { sensitive.contains($0.key) }.compactMap(\.value.stringValue)
            if contract.actions.contains(.update), contract.canPerform(.update) {
                let change = try await changes(to: row, in: home, session: session)
                secrets += change.filter { sensitive.contains($0.key) }.compactMap(\.value.stringValue)
                let patched = try await session.client.send(.patch, "\(path)/\(row.id)", as: try actor(for: .update, in: home), json: .object(change))
                expect(patched.status == .ok, "Update broken", "a PATCH answered \(patched.summary)", at: sourceLocation)
                if let after = patched.data, after != row.data { expected.append(("updated", row.data, after)) }
            }
            if contract.canPerform(.delete) {
                let deleted = try await session.client.send(.delete, "\(path)/\(row.id)", as: try actor(for: .delete, in: home))
                expect(deleted.status == .noContent, "Delete broken", "a DELETE answered \(deleted.summary)", at: sourceLocation)
                expected.append(("deleted", expected.last?.after, nil))
            }

            let audit = try await session.auditRows(about: id)
            let type = resourceType
            let verbs = expected.map(\.verb)
            expect(
                audit.map(\.action) == verbs.map { "\(type).\($0)" }, "Audit broken",
                "the audit rows about a row are \(audit.map(\.action)); expected \(verbs) in that order", at: sourceLocation
            )
            if case .member(let principal) = creator {
                expect(
                    audit.allSatisfy { $0.orgID == home.id && $0.userID == principal.userID }, "Audit broken",
                    "an audit row names another organization or actor than the one that acted", at: sourceLocation
                )
            }
            for (entry, mutation) in zip(audit, expected) {
                checkChanges(entry.changes, before: mutation.before, after: mutation.after, verb: mutation.verb, at: sourceLocation)
            }

            let events = try await session.changeEvents(about: id)
            expect(
                events.map(\.type) == audit.map(\.action), "Change events broken",
                "the change events of a row are \(events.map(\.type)); expected one per audit row, \(audit.map(\.action))", at: sourceLocation
            )
            // Events leave out sensitive fields and those only some roles see.
            let leftOut = sensitive.union(contract.fields.filter { $0.readRoles != nil }.map(\.name))
            for (event, mutation) in zip(events, expected) {
                guard let row = mutation.after ?? mutation.before, case .object(let fields) = row else { continue }
                let shown = JSONValue.object(fields.filter { !leftOut.contains($0.key) })
                expect(
                    event.data == shown, "Change events broken",
                    "the \(event.type) event holds \(event.data.jsonText); expected the row without its sensitive fields, \(shown.jsonText)",
                    at: sourceLocation
                )
            }
            // A sensitive value is in no audit row and no event.
            let recorded = audit.compactMap { $0.changes?.jsonText } + events.map(\.data.jsonText)
            for secret in secrets where secret.count >= 3 {
                expect(
                    !recorded.contains { $0.contains(secret) }, "Sensitive value recorded",
                    "the value \(secret) of a sensitive field is in the audit trail or the change events", at: sourceLocation
                )
            }
        }
    }

    /// The resource's name in the audit log and change events: its name in snake case (`task`,
    /// `custom_field`).
    var resourceType: String {
        var name = ""
        for character in contract.name {
            if character.isUppercase, !name.isEmpty { name += "_" }
            name += character.lowercased()
        }
        return name
    }

    /// The `changes` of one audit row against the row before and after the mutation.
    private func checkChanges(_ changes: JSONValue?, before: JSONValue?, after: JSONValue?, verb: String, at location: SourceLocation) {
        guard case .object(let recorded)? = changes else {
            _ = expect(false, "Audit broken", "the \(verb) audit row has no changes", at: location)
            return
        }
        for field in contract.fields {
            let old = before?[field.name]
            let new = after?[field.name]
            let differs = before == nil || after == nil || old != new
            let entry = recorded[field.name]
            if !differs {
                expect(entry == nil, "Audit broken", "the \(verb) audit row lists \(field.name), which did not change", at: location)
                continue
            }
            // Owners and admins read the audit trail: a field one of them may not see is recorded like a sensitive one.
            let valueless = field.sensitive || field.readRoles.map { !Set<Role>([.owner, .admin]).isSubset(of: $0) } ?? false
            if valueless {
                expect(entry == ["changed": true], "Sensitive value recorded", "the \(verb) audit row records \(field.name) as \(entry?.jsonText ?? "nothing"); expected {\"changed\":true}", at: location)
                continue
            }
            var wanted: [String: JSONValue] = [:]
            if before != nil { wanted["before"] = old ?? .null }
            if after != nil { wanted["after"] = new ?? .null }
            expect(
                entry == .object(wanted), "Audit broken",
                "the \(verb) audit row records \(field.name) as \(entry?.jsonText ?? "nothing"); expected \(JSONValue.object(wanted).jsonText)", at: location
            )
        }
    }

    /// A create sent twice with one `Idempotency-Key` makes one row and answers the second time
    /// with the first answer and `Idempotent-Replayed: true`; the key with another body answers
    /// 422; a refused create is not kept, so its corrected retry runs; ten creates sent at once
    /// with one key make one row, the others answering the replay or 409.
    public func retriesWithIdempotencyKeys(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard contract.canPerform(.create) else { return }
        try await session("idempotency") { session in
            let home = session.home
            let creator = try actor(for: .create, in: home)
            let tag = session.label.stableTag
            let send = { (body: [String: JSONValue], key: String) in
                try await session.client.send(.post, path, as: creator, json: .object(body), headers: [.idempotencyKey: key])
            }

            let sent = try await body(row: 0, in: home, session: session)
            let first = try await send(sent, "\(tag)-create")
            guard first.status == .created, first.id != nil else {
                _ = expect(false, "Idempotency broken", "a create with an Idempotency-Key answered \(first.summary)", at: sourceLocation)
                return
            }
            let again = try await send(sent, "\(tag)-create")
            expect(
                again.status == .created && again.headers[.idempotentReplayed] == "true" && again.body == first.body
                    && again.headers[.location] == first.headers[.location],
                "Idempotency broken", "a retried create answered \(again.summary) (replayed: \(again.headers[.idempotentReplayed] ?? "no")); expected the first answer again",
                at: sourceLocation
            )
            let reused = try await send(try await body(row: 1, in: home, session: session), "\(tag)-create")
            expect(
                reused.status == .unprocessableContent && reused.errorCode == "idempotency_key_reused", "Idempotency broken",
                "the key sent again with another body answered \(reused.summary); expected 422 idempotency_key_reused", at: sourceLocation
            )

            var invalid = try await body(row: 2, in: home, session: session)
            invalid["spec_unknown_field"] = .integer(1)
            let refused = try await send(invalid, "\(tag)-corrected")
            expect(refused.status == .unprocessableContent, "Validation broken", "a body with an unknown field answered \(refused.summary)", at: sourceLocation)
            invalid["spec_unknown_field"] = nil
            let corrected = try await send(invalid, "\(tag)-corrected")
            expect(
                corrected.status == .created && corrected.headers[.idempotentReplayed] == nil, "Idempotency broken",
                "the corrected retry of a refused create answered \(corrected.summary); a refusal must not be kept", at: sourceLocation
            )

            let raced = try await body(row: 3, in: home, session: session)
            let answers = try await session.client.sendAtOnce(
                Array(repeating: SpecClient.Request(.post, path, as: creator, json: .object(raced), headers: [.idempotencyKey: "\(tag)-raced"]), count: 10)
            )
            let ran = answers.filter { $0.status == .created && $0.headers[.idempotentReplayed] == nil }
            let replays = answers.filter { $0.status == .created && $0.headers[.idempotentReplayed] == "true" }
            let busy = answers.filter { $0.status == .conflict && $0.errorCode == "idempotency_key_in_use" }
            expect(
                ran.count == 1 && replays.allSatisfy { $0.body == ran.first?.body } && ran.count + replays.count + busy.count == answers.count,
                "Idempotency broken",
                "ten creates at once with one key answered \(answers.map(\.status.code)) (\(ran.count) ran); expected one to run, the others its replay or 409",
                at: sourceLocation
            )

            // One row per create that ran: the first, the corrected retry, one of the ten.
            let type = resourceType
            let made = try await session.auditCount("\(type).created", in: home)
            expect(made == 3, "Idempotency broken", "the creates with keys made \(made) rows; expected 3", at: sourceLocation)
        }
    }
}
