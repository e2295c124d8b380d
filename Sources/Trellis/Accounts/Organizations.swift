import Foundation
import Logging
import PostgresNIO

enum Organizations {
    /// Inserts the organization `id` named `name` with its slugified name as slug, or that plus a
    /// piece of `id` when another organization has it (also one created concurrently: the insert
    /// waits for it and yields). Returns the slug.
    static func insert(id: UUID, name: String, on connection: PostgresConnection, logger: Logger) async throws -> String {
        let base = slugify(name)
        for slug in [base, base + "-" + id.lowercasedString.suffix(8)] {
            let inserted = try await first(
                connection.query(
                    "INSERT INTO organizations (id, name, slug) VALUES (\(id), \(name), \(slug)) ON CONFLICT (slug) DO NOTHING RETURNING slug",
                    logger: logger
                ).decode(String.self)
            )
            if let inserted { return inserted }
        }
        throw APIError(.conflict, "An organization with this name was just created; try again.")
    }

    /// `Acme Corp.` -> `acme-corp`; letters and digits outside ASCII are dropped.
    static func slugify(_ name: String) -> String {
        var slug = ""
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return String((slug.isEmpty ? "org" : slug).prefix(60)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
