import TrellisOpenAPI

/// The example requests and responses of one resource's operations, from the same values the
/// generated tests send (``FixtureValues``), so a docs page or a generated client shows realistic
/// traffic.
struct ResourceExamples {
    let resource: ResolvedResource

    static let id: Document = "0193a5c8-7d2e-7000-8000-000000000001"
    static let createdAt: Document = "2026-01-31T09:30:00.000000Z"
    static let updatedAt: Document = "2026-02-01T16:05:00.000000Z"

    /// A create body: every field a client writes that has no default, plus the required ones.
    var create: Document {
        .object(resource.writableFields.filter { $0.requiredOnCreate || $0.spec.defaultValue == nil }.map { ($0.name, FixtureValues.example(for: $0)) })
    }

    /// A PATCH body: every mutable field that has another valid value.
    var patch: Document {
        .object(resource.mutableFields.compactMap { field in FixtureValues.alternate(for: field).map { (field.name, $0) } })
    }

    /// The row `create` makes.
    var row: Document { row(changed: false) }

    /// The row after `patch`.
    var changedRow: Document { row(changed: true) }

    /// `{"data": row}`.
    func data(_ row: Document) -> Document { ["data": row] }

    /// A one-row first page.
    var page: Document {
        [
            "data": [row],
            "meta": ["has_more": false, "next_cursor": .null, "limit": .integer(Int64(resource.pagination.defaultLimit))],
        ]
    }

    private func row(changed: Bool) -> Document {
        var entries: [(String, Document)] = [("id", Self.id)]
        for field in resource.fields {
            let alternate = changed && resource.mutableFields.contains(field) ? FixtureValues.alternate(for: field) : nil
            entries.append((field.name, alternate ?? FixtureValues.example(for: field)))
        }
        entries.append(("version", changed ? 2 : 1))
        if resource.timestamps {
            entries.append(("created_at", Self.createdAt))
            entries.append(("updated_at", changed ? Self.updatedAt : Self.createdAt))
        }
        return .object(entries)
    }
}
