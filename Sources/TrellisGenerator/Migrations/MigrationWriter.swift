import Foundation

/// Turns a ``MigrationPlan`` into migration files: one transactional file, and when needed a
/// second one that runs outside a transaction.
struct MigrationWriter {
    let templates: TemplateSet
    let specDirectory: String

    func files(for plan: MigrationPlan, history: MigrationHistory, at date: Date) throws -> [MigrationFile] {
        let summary = plan.summary
        var files: [MigrationFile] = []
        if !plan.steps.isEmpty {
            let id = history.nextID(at: date, summary: summary)
            files.append(MigrationFile(id: id, sql: try render(id: id, steps: plan.steps, online: false, previous: nil)))
        }
        if !plan.onlineSteps.isEmpty {
            let id = history.nextID(at: date, summary: files.isEmpty ? summary : summary + "_online", offset: files.count)
            files.append(MigrationFile(id: id, sql: try render(id: id, steps: plan.onlineSteps, online: true, previous: files.last?.id)))
        }
        return files
    }

    private func render(id: String, steps: [MigrationStep], online: Bool, previous: String?) throws -> String {
        let context = Context(
            id: id, specDirectory: specDirectory, online: online, previous: previous ?? "the previous migration",
            statementTimeout: Self.statementTimeout(steps, online: online), steps: steps
        )
        let sql = try templates.render("migration.sql", context)
        return sql.hasSuffix("\n") ? sql : sql + "\n"
    }

    /// The context of `migration.sql`.
    private struct Context {
        var id: String
        var specDirectory: String
        /// Whether the file runs outside a transaction (`-- trellis:no-transaction`).
        var online: Bool
        /// The migration this one runs after, for the header.
        var previous: String
        var statementTimeout: String
        var steps: [MigrationStep]
    }

    /// Catalog changes finish in milliseconds; rewrites, backfills and online builds get longer.
    private static func statementTimeout(_ steps: [MigrationStep], online: Bool) -> String {
        if online { return "1h" }
        let heavy = steps.flatMap(\.statements).contains { $0.hasPrefix("UPDATE ") || $0.contains(" TYPE ") }
        return heavy ? "15min" : "1min"
    }
}
