import TrellisOpenAPI
import TrellisSpec

/// The query parameters of one resource's list: page, sort, one per declared filter, search,
/// includes, the trash view and the count. Each schema states exactly what the server accepts,
/// no more and no less, so a generated client and a fuzzer agree with it.
struct ListParameters {
    let resource: ResolvedResource

    func all() -> [Document] {
        let offset = resource.pagination.style == .offset
        var parameters: [Document] = offset ? [page, limit] : [limit, ["$ref": "#/components/parameters/Cursor"]]
        parameters.append(sort)
        for field in resource.filterableFields {
            for filterOperator in field.spec.filters {
                parameters.append(filter(field, filterOperator))
            }
        }
        if resource.search != nil {
            parameters.append(query(
                "q", "Full-text search over \(resource.search!.fields.joined(separator: ", ")) (web search syntax: words, \"a phrase\", "
                    + "or, -word). Without `sort`, the best matches come first.",
                ["type": "string", "minLength": 1, "maxLength": 200, "pattern": .string(SchemaPattern.noNUL)]
            ))
        }
        if let include { parameters.append(include) }
        if resource.softDelete {
            parameters.append(query(
                "deleted", "`only` lists the deleted rows (the trash), `include` every row. For the roles that may restore.",
                ["type": "string", "enum": ["only", "include"]]
            ))
        }
        parameters.append(query(
            "count", offset
                ? "Offset pages always carry `meta.total` (a second query that reads every match); `exact` is accepted."
                : "`exact` adds `meta.total`, the number of matching rows: a second query that reads every match, "
                    + "so it costs time in proportion to the total.",
            ["type": "string", "enum": ["exact"]]
        ))
        return parameters
    }

    /// `?include=`, for a list and a read, when the resource has relations to embed.
    var include: Document? {
        let includes = resource.includableFields.compactMap(\.includeName) + resource.children.map(\.name)
        guard !includes.isEmpty else { return nil }
        return commaList(
            "include", "Embeds related rows, by name: the row a ref points to, or the first nested rows (one extra query per "
                + "relation per page). Needs read permission on what it embeds.",
            items: ["type": "string", "enum": .array(includes.map { .string($0) })], maxItems: includes.count, unique: true
        )
    }

    private func query(_ name: String, _ description: String, _ schema: Document) -> Document {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }

    private func commaList(_ name: String, _ description: String, items: Document, maxItems: Int, unique: Bool = false) -> Document {
        var schema: [(String, Document)] = [("type", "array"), ("items", items), ("minItems", 1), ("maxItems", .integer(Int64(maxItems)))]
        if unique { schema.append(("uniqueItems", true)) }
        return [
            "name": .string(name), "in": "query", "required": false, "description": .string(description),
            "style": "form", "explode": false, "schema": .object(schema),
        ]
    }

    private var page: Document {
        query(
            "page", "The page, from 1. Reading page n costs a scan of the rows of the pages before it.",
            ["type": "integer", "minimum": 1, "maximum": .integer(Int64(ListLimits.maxPage)), "default": 1]
        )
    }

    private var limit: Document {
        query(
            resource.pagination.style == .offset ? "per_page" : "limit", "Page size.",
            [
                "type": "integer", "minimum": 1, "maximum": .integer(Int64(resource.pagination.maxLimit)),
                "default": .integer(Int64(resource.pagination.defaultLimit)),
            ]
        )
    }

    private var sort: Document {
        let keys = resource.pagination.sortKeys.joined(separator: "|")
        return query(
            "sort",
            "Up to \(ListLimits.maxSortKeys) sort keys separated by commas, each one of \(resource.pagination.sortKeys.joined(separator: ", ")); "
                + "a leading '-' sorts descending. The id breaks ties; an empty value counts as greater than every value.",
            [
                "type": "string", "pattern": .string("^-?(\(keys))(,-?(\(keys))){0,\(ListLimits.maxSortKeys - 1)}$"),
                "default": .string("-" + resource.pagination.defaultSort),
            ]
        )
    }

    private func filter(_ field: ResolvedField, _ filterOperator: FilterOperator) -> Document {
        let name = filterOperator.parameter(for: field.name)
        let value = valueSchema(field)
        switch filterOperator {
        case .eq:
            return query(name, "Only rows whose \(field.name) equals the value.", value)
        case .in:
            return commaList(
                name, "Only rows whose \(field.name) is one of the values, separated by commas.", items: value,
                maxItems: ListLimits.maxInValues
            )
        case .gt, .gte, .lt, .lte:
            let words = ["gt": "above", "gte": "at or above", "lt": "below", "lte": "at or below"][filterOperator.rawValue] ?? ""
            return query(name, "Only rows whose \(field.name) is \(words) the value.", value)
        case .contains, .startsWith:
            let words = filterOperator == .contains ? "contains" : "starts with"
            return query(
                name, "Only rows whose \(field.name) \(words) the text, ignoring case.",
                ["type": "string", "minLength": 1, "pattern": .string(SchemaPattern.noNUL)]
            )
        case .isNull:
            return query(name, "`true`: only rows without a \(field.name); `false`: only rows with one.", ["type": "boolean"])
        }
    }

    /// What one filter value may be: the field's type, without the limits the field's own value
    /// has (a filter for a value outside them matches nothing, it is not an error).
    private func valueSchema(_ field: ResolvedField) -> Document {
        switch field.kind {
        case .string, .text, .json:
            return ["type": "string", "pattern": .string(SchemaPattern.noNUL)]
        case .int32:
            return ["type": "integer", "format": "int32", "minimum": .integer(Int64(Int32.min)), "maximum": .integer(Int64(Int32.max))]
        case .int64:
            return ["type": "integer", "format": "int64"]
        case .decimal:
            return ["type": "string", "format": "decimal", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"]
        case .bool:
            return ["type": "boolean"]
        case .uuid:
            return ["type": "string", "format": "uuid"]
        case .reference:
            guard field.listKind == ".userReference" else { return ["type": "string", "format": "uuid"] }
            return [
                "description": "A user's id, or `me` for the caller.",
                "anyOf": [["type": "string", "format": "uuid"], ["type": "string", "enum": ["me"]]],
            ]
        case .date:
            return ["type": "string", "format": "date"]
        case .datetime:
            return ["type": "string", "format": "date-time"]
        case .enumeration(_, let values):
            return ["type": "string", "enum": .array(values.map { .string($0) })]
        }
    }
}
