import TrellisSpec

/// What the specs say about how the schema evolves, beyond what it is now: declared renames,
/// confirmed destructive changes, and where to point diagnostics.
struct SchemaEvolution: Sendable {
    /// New table name -> the previous name it was `renamed_from`.
    var renamedTables: [String: String] = [:]
    /// New table name -> new column -> the previous column name.
    var renamedColumns: [String: [String: String]] = [:]
    /// New table name -> `dropped:` entries (`legacy`, `status.blocked`).
    var confirmedDrops: [String: Set<String>] = [:]
    var tableLocations: [String: SourceLocation] = [:]
    var columnLocations: [String: [String: SourceLocation]] = [:]
    /// Confirms every destructive change (`trellis generate --allow-destructive`).
    var allowDestructive = false
    /// Where diagnostics about tables whose spec is gone point.
    var snapshotLocation = SourceLocation(file: "generated/schema.json", line: 1, column: 1)

    init(resources: [ResolvedResource], allowDestructive: Bool, snapshotPath: String) {
        self.allowDestructive = allowDestructive
        snapshotLocation = SourceLocation(file: snapshotPath, line: 1, column: 1)
        for resource in resources {
            let table = resource.table
            renamedTables[table] = resource.renamedFrom
            confirmedDrops[table] = resource.dropped
            tableLocations[table] = resource.location
            var renames: [String: String] = [:]
            var locations: [String: SourceLocation] = [:]
            for field in resource.fields {
                renames[field.name] = field.spec.renamedFrom?.value
                locations[field.name] = field.spec.name.location
            }
            renamedColumns[table] = renames
            columnLocations[table] = locations
        }
    }

    init() {}

    func location(table: String, column: String? = nil) -> SourceLocation {
        column.flatMap { columnLocations[table]?[$0] } ?? tableLocations[table] ?? snapshotLocation
    }

    func confirms(_ entry: String, table: String) -> Bool {
        allowDestructive || confirmedDrops[table]?.contains(entry) == true
    }
}
