import App
import AppAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Trellis

/// The hooks of a restore (soft delete): they see the deleted row, run in the restore's
/// transaction, and a refusal leaves the row deleted.
@Suite struct RestoreHooksTests {
    /// What the hooks saw, in order.
    actor Seen {
        var events: [String] = []
        func record(_ event: String) { events.append(event) }
    }

    /// Refuses to bring back a project whose slug starts with `sealed-`.
    struct SealedProjects: ProjectHooks {
        let seen: Seen

        func beforeRestore(_ hidden: Project, context: HookContext) async throws {
            await seen.record("before \(hidden.slug)")
            if hidden.slug.hasPrefix("sealed-") { throw APIError(.conflict, "A sealed project stays deleted.") }
        }

        func afterRestore(_ restored: Project, context: HookContext) async throws {
            // In the restore's transaction: the row is back for this connection already.
            let rows = try await context.connection.query(
                "SELECT deleted_at IS NULL FROM projects WHERE id = \(restored.id)", logger: context.logger
            )
            var back = false
            for try await visible in rows.decode(Bool.self) { back = visible }
            await seen.record("after \(restored.slug), back: \(back)")
        }
    }

    @Test func hooksSeeTheDeletedRowAndCanRefuse() async throws {
        let seen = Seen()
        var hooks = GeneratedAPI.Hooks()
        hooks.project = SealedProjects(seen: seen)
        let owner = Users.principal(.owner, in: "globex")
        try await withApp(.router, api: GeneratedAPI(hooks: hooks, actions: App.actions)) { client, tokens in
            var ids: [String: String] = [:]
            for slug in ["sealed-restore-hooks", "open-restore-hooks"] {
                let created = try await client.request(
                    .post, "/api/v1/projects", as: owner, tokens: tokens, json: #"{"name": "\#(slug)", "slug": "\#(slug)"}"#
                )
                #expect(created.status == .created)
                let id = try #require(try created.data["id"] as? String)
                ids[slug] = id
                #expect(try await client.request(.delete, "/api/v1/projects/\(id)", as: owner, tokens: tokens).status == .noContent)
            }
            let sealed = try #require(ids["sealed-restore-hooks"])
            let open = try #require(ids["open-restore-hooks"])

            let refused = try await client.request(.post, "/api/v1/projects/\(sealed)/restore", as: owner, tokens: tokens)
            #expect(refused.status == .conflict)
            #expect(try await client.request(.get, "/api/v1/projects/\(sealed)", as: owner, tokens: tokens).status == .notFound)

            let restored = try await client.request(.post, "/api/v1/projects/\(open)/restore", as: owner, tokens: tokens)
            #expect(restored.status == .ok)
            #expect(try restored.data["slug"] as? String == "open-restore-hooks")
            #expect(try await client.request(.get, "/api/v1/projects/\(open)", as: owner, tokens: tokens).status == .ok)
            // Restoring a row that is not deleted answers it, and runs no hook.
            #expect(try await client.request(.post, "/api/v1/projects/\(open)/restore", as: owner, tokens: tokens).status == .ok)
        }
        #expect(await seen.events == ["before sealed-restore-hooks", "before open-restore-hooks", "after open-restore-hooks, back: true"])
    }
}
