import Foundation
import Logging
import PostgresNIO

enum Organizations {
    /// A slug for a new organization named `name`: its slugified name, or that plus a piece of
    /// `id` when another organization has it.
    static func availableSlug(for name: String, id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> String {
        let base = slugify(name)
        let taken = try await first(
            connection.query("SELECT 1::int4 FROM organizations WHERE slug = \(base)", logger: logger).decode(Int32.self)
        )
        guard taken != nil else { return base }
        return base + "-" + id.uuidString.lowercased().suffix(8)
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
