/// A row's entity tag and the conditions on it (RFC 9110 §8.8.3, §13.1): the tag is the row's
/// version, strong and quoted (`"3"`), which a trigger on the table moves on with every UPDATE
/// (the README's "Versions").
public enum EntityTag {
    /// The `ETag` of the row at `version`: `"3"`.
    public static func of(version: Int64) -> String { "\"\(version)\"" }

    /// Whether `If-Match` (every field line) holds for the row at `version`: `*` holds for any row,
    /// otherwise one listed tag must be the row's, compared strongly (a weak `W/"3"` never
    /// matches), as RFC 9110 §13.1.1 asks.
    public static func ifMatch(_ fields: [String], version: Int64) -> Bool {
        let current = of(version: version)
        return tags(in: fields).contains { $0 == "*" || $0 == current }
    }

    /// Whether `If-None-Match` (every field line) names the row at `version`, so that a GET
    /// answers 304: `*`, or a listed tag equal to the row's, compared weakly (`W/"3"` matches).
    public static func ifNoneMatch(_ fields: [String], version: Int64) -> Bool {
        let current = of(version: version)
        return tags(in: fields).contains { tag in
            tag == "*" || tag == current || (tag.hasPrefix("W/") && tag.dropFirst(2) == current)
        }
    }

    /// The members of comma-separated field values, trimmed (`"1", W/"2"` -> `"1"`, `W/"2"`).
    private static func tags(in fields: [String]) -> [Substring] {
        fields.flatMap { $0.split(separator: ",") }.map { member in
            var trimmed = member
            while trimmed.first == " " || trimmed.first == "\t" { trimmed = trimmed.dropFirst() }
            while trimmed.last == " " || trimmed.last == "\t" { trimmed = trimmed.dropLast() }
            return trimmed
        }
    }
}
