import Foundation
import TrellisSpec

/// A file the generator produces: its path relative to the output root, and its text.
public struct GeneratedFile: Hashable, Sendable {
    public var path: String
    public var contents: String

    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// The whole pipeline: parse -> resolve -> emit.
///
/// The build plugin compiles ``Output/swiftFiles``; `trellis generate` writes
/// ``Output/committedFiles`` (the same Swift under `swift/`, plus the OpenAPI document, the
/// migration and the schema snapshot) into `generated/`.
public struct Generator: Sendable {
    public struct Output: Sendable {
        /// Swift sources, named as ``Generator/swiftFileNames(specFiles:)`` predicts.
        public var swiftFiles: [GeneratedFile]
        /// Everything under `generated/`, paths relative to it.
        public var committedFiles: [GeneratedFile]
    }

    public let templates: TemplateSet
    public let options: GeneratorOptions

    public init(templates: TemplateSet, options: GeneratorOptions = GeneratorOptions()) {
        self.templates = templates
        self.options = options
    }

    /// The Swift file names the specs produce, known from their file names alone.
    public static func swiftFileNames(specFiles: [String]) -> [String] {
        let perSpec = specFiles.map(fileStem).sorted().flatMap { stem in
            let base = Naming.pascalCase(Naming.snakeCase(stem))
            return ["\(base)+Model.swift", "\(base)+Queries.swift", "\(base)+Routes.swift"]
        }
        return perSpec + ["GeneratedAPI.swift", "GeneratedAPI+Migrations.swift", "GeneratedAPI+OpenAPI.swift"]
    }

    static func fileStem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.split(separator: ".").first.map(String.init) ?? name
    }

    /// Generates everything from `files`.
    /// - Parameter specDirectory: how generated headers name the spec folder (`specs/`).
    public func generate(_ files: [SpecFile], specDirectory: String = "specs/") throws -> Output {
        let specs = try SpecLoader.load(files.sorted { $0.path < $1.path })
        let resources = Resolver.resolve(specs)
        let schema = SchemaBuilder.schema(of: resources)
        let document = OpenAPIBuilder(resources: resources, options: options).build()

        var swiftFiles: [GeneratedFile] = []
        for resource in resources {
            let base = Naming.pascalCase(Naming.snakeCase(resource.fileStem))
            let context = ResourceContext.make(resource)
            swiftFiles.append(GeneratedFile(path: "\(base)+Model.swift", contents: try render("model.swift", context)))
            swiftFiles.append(GeneratedFile(path: "\(base)+Queries.swift", contents: try render("queries.swift", context)))
            swiftFiles.append(GeneratedFile(path: "\(base)+Routes.swift", contents: try render("routes.swift", context)))
        }

        let migrationID = "0001_initial"
        var migrationContext = MigrationRenderer.createAll(schema)
        migrationContext["id"] = migrationID
        migrationContext["specDirectory"] = specDirectory
        let migrationSQL = try render("migration.sql", migrationContext)

        let apiContext: [String: Any] = [
            "specDirectory": specDirectory,
            "resources": resources.map { resource in
                ["typeName": resource.swiftName, "hooksProperty": Naming.camelCase(Naming.snakeCase(resource.swiftName))]
            },
            "constraints": Self.constraints(schema),
            "migrations": [["id": migrationID, "literal": SwiftNames.rawMultilineLiteral(migrationSQL)]],
            "literal": SwiftNames.rawMultilineLiteral(document.json()),
        ]
        swiftFiles.append(GeneratedFile(path: "GeneratedAPI.swift", contents: try render("api.swift", apiContext)))
        swiftFiles.append(GeneratedFile(path: "GeneratedAPI+Migrations.swift", contents: try render("migrations.swift", apiContext)))
        swiftFiles.append(GeneratedFile(path: "GeneratedAPI+OpenAPI.swift", contents: try render("openapi.swift", apiContext)))

        var committed = swiftFiles.map { GeneratedFile(path: "swift/\($0.path)", contents: $0.contents) }
        committed.append(GeneratedFile(path: "openapi.yaml", contents: document.yaml()))
        committed.append(GeneratedFile(path: "migrations/\(migrationID).sql", contents: migrationSQL))
        committed.append(GeneratedFile(path: "schema.json", contents: try Self.snapshot(schema)))
        return Output(swiftFiles: swiftFiles, committedFiles: committed.sorted { $0.path < $1.path })
    }

    private func render(_ template: String, _ context: [String: Any]) throws -> String {
        try templates.render(template, context)
    }

    /// Unique indexes and foreign keys by name, for the runtime's error mapping.
    static func constraints(_ schema: Schema) -> [[String: String]] {
        var entries: [[String: String]] = []
        for table in schema.tables {
            for index in table.indexes where index.unique {
                let field = index.columns.last ?? ""
                entries.append(["name": index.name, "field": field, "kind": ".unique"])
            }
            for key in table.foreignKeys where key.columns.last != "org_id" {
                entries.append(["name": key.name, "field": key.columns.last ?? "", "kind": ".foreignKey(table: \"\(table.name)\")"])
            }
        }
        return entries.sorted { ($0["name"] ?? "") < ($1["name"] ?? "") }
    }

    static func snapshot(_ schema: Schema) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(schema)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
