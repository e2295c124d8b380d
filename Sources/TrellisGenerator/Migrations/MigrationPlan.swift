import TrellisSpec

/// One change of a migration: its statements and, for the file's header, what it does and what it
/// locks.
struct MigrationStep: Sendable, Hashable {
    /// What the step does, for file names: `add`, `projects`, `budget` gives `add_projects_budget`.
    var verb: String
    /// The tables it changes (several for `DROP TABLE a, b` or the foreign keys of new tables).
    var tables: [String]
    var object: String?
    /// What it does, for the header (`add column projects.budget`).
    var description: String
    /// What it locks or rewrites, and why that is safe (or what to watch).
    var effect: String
    var statements: [String]

    var summary: String { ([verb] + tables + (object.map { [$0] } ?? [])).joined(separator: "_") }

    init(verb: String, table: String, object: String?, description: String, effect: String, statements: [String]) {
        self.init(verb: verb, tables: [table], object: object, description: description, effect: effect, statements: statements)
    }

    init(verb: String, tables: [String], object: String?, description: String, effect: String, statements: [String]) {
        self.verb = verb
        self.tables = tables
        self.object = object
        self.description = description
        self.effect = effect
        self.statements = statements
    }
}

/// The changes from one schema to the next, split into the part that runs in one transaction and
/// the part that must run outside one (concurrent index builds, validations).
struct MigrationPlan: Sendable {
    /// Applied in one transaction: catalog changes, new tables, `NOT VALID` constraints.
    var steps: [MigrationStep] = []
    /// Applied afterwards outside a transaction, each statement on its own: `CREATE INDEX
    /// CONCURRENTLY`, `VALIDATE CONSTRAINT`, `SET NOT NULL` on a validated column.
    var onlineSteps: [MigrationStep] = []
    /// Destructive or impossible changes the specs did not confirm.
    var refusals: [Diagnostic] = []

    var isEmpty: Bool { steps.isEmpty && onlineSteps.isEmpty }

    /// One line per change, for `trellis check` and build errors.
    var descriptions: [String] { (steps + onlineSteps).map(\.description) }

    /// The file-name summary: `add_projects_budget`, `create_comments_projects_tasks`, `change_projects_tasks`.
    var summary: String {
        let named = steps.isEmpty ? onlineSteps : steps
        let summaries = named.map(\.summary).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if summaries.count == 1 { return summaries[0] }
        let tables = named.flatMap(\.tables).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let verbs = Set(named.map(\.verb))
        let verb = verbs.count == 1 ? verbs.first! : "change"
        var name = verb
        for table in tables {
            guard name.count + table.count < 60 else { return name + "_and_more" }
            name += "_" + table
        }
        return name
    }
}
