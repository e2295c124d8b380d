import Foundation

/// A committed migration: `generated/migrations/<id>.sql`.
public struct MigrationFile: Sendable, Hashable {
    /// `20261126233000_add_projects_budget`: a UTC timestamp and a summary.
    public var id: String
    public var sql: String

    public init(id: String, sql: String) {
        self.id = id
        self.sql = sql
    }

    public var path: String { "migrations/\(id).sql" }

    /// The lowercase hexadecimal SHA-256 of the file's bytes: the checksum the runtime's migrator
    /// records for it in `schema_migrations`.
    public var sha256: String {
        SHA256Digest.hex(sql.utf8)
    }
}

/// `generated/schema.json`: the schema the committed migrations produce, and the ledger of those
/// migrations with their checksums, so an edited, missing or stray migration file is caught.
public struct Snapshot: Codable, Sendable, Hashable {
    public struct Entry: Codable, Sendable, Hashable {
        public var id: String
        public var sha256: String

        public init(id: String, sha256: String) {
            self.id = id
            self.sha256 = sha256
        }
    }

    public var migrations: [Entry]
    public var tables: [Schema.Table]
    /// The extensions the migrations enabled; absent before any was needed.
    public var extensions: [String]?

    public init(migrations: [Entry] = [], tables: [Schema.Table] = [], extensions: [String] = []) {
        self.migrations = migrations
        self.tables = tables
        self.extensions = extensions.isEmpty ? nil : extensions
    }

    public var schema: Schema { Schema(tables: tables, extensions: extensions ?? []) }

    public init(json: String, path: String) throws {
        do {
            self = try JSONDecoder().decode(Snapshot.self, from: Data(json.utf8))
        } catch {
            throw HistoryError.unreadableSnapshot(path: path, reason: "\(error)")
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

/// What `generated/` holds of the schema's history: the snapshot and the migration files.
public struct MigrationHistory: Sendable, Hashable {
    /// nil before the first `trellis generate`.
    public var snapshot: Snapshot?
    /// The files of `generated/migrations/`, sorted by id.
    public var migrations: [MigrationFile]

    public init(snapshot: Snapshot? = nil, migrations: [MigrationFile] = []) {
        self.snapshot = snapshot
        self.migrations = migrations.sorted { $0.id < $1.id }
    }

    /// Reads `<directory>/schema.json` and `<directory>/migrations/*.sql`; both may be absent.
    public static func read(from directory: String) throws -> MigrationHistory {
        let snapshotPath = "\(directory)/schema.json"
        let snapshot = try FileManager.default.contents(atPath: snapshotPath).map { data in
            try Snapshot(json: String(decoding: data, as: UTF8.self), path: snapshotPath)
        }
        let folder = "\(directory)/migrations"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let migrations = try names.filter { $0.hasSuffix(".sql") }.map { name in
            MigrationFile(id: String(name.dropLast(4)), sql: try String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8))
        }
        return MigrationHistory(snapshot: snapshot, migrations: migrations)
    }

    /// Files that disagree with the snapshot's ledger, each with what to do about it.
    public func problems(directory: String) -> [String] {
        let ledger = snapshot?.migrations ?? []
        let files = Dictionary(migrations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        for entry in ledger {
            let path = "\(directory)/migrations/\(entry.id).sql"
            guard let file = files[entry.id] else {
                problems.append("\(path) is missing: restore it (`git checkout -- \(path)`); applied migrations never go away")
                continue
            }
            if file.sha256 != entry.sha256 {
                problems.append(
                    "\(path) was edited after it was generated (its SHA-256 no longer matches \(directory)/schema.json): "
                        + "restore it (`git checkout -- \(path)`) and put the change in the specs, then `make generate`"
                )
            }
        }
        let known = Set(ledger.map(\.id))
        for file in migrations where !known.contains(file.id) {
            let path = "\(directory)/\(file.path)"
            problems.append(
                "\(path) is not in the ledger of \(directory)/schema.json: generated migrations come from `make generate`; "
                    + "remove the file, and put hand-written SQL in the app's own migrations"
            )
        }
        return problems
    }

    /// The id for a migration generated at `date`: a UTC timestamp later than every committed one.
    func nextID(at date: Date, summary: String, offset: Int = 0) -> String {
        var seconds = Int(date.timeIntervalSince1970.rounded(.down))
        if let last = migrations.last.flatMap({ Self.timestamp(of: $0.id) }), seconds <= last {
            seconds = last + 1
        }
        return Self.format(seconds + offset) + "_" + summary
    }

    private static func timestamp(of id: String) -> Int? {
        let digits = id.prefix { $0.isNumber }
        guard digits.count == 14 else { return nil }
        var components = DateComponents()
        let text = Array(digits)
        func number(_ range: Range<Int>) -> Int { Int(String(text[range]))! }
        components.year = number(0..<4)
        components.month = number(4..<6)
        components.day = number(6..<8)
        components.hour = number(8..<10)
        components.minute = number(10..<12)
        components.second = number(12..<14)
        return calendar.date(from: components).map { Int($0.timeIntervalSince1970) }
    }

    private static func format(_ seconds: Int) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
        return String(format: "%04d%02d%02d%02d%02d%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

/// Problems reading `generated/` itself.
public enum HistoryError: Error, CustomStringConvertible {
    case unreadableSnapshot(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableSnapshot(let path, let reason):
            "\(path): cannot read the schema snapshot (\(reason)); restore it from git (`git checkout -- \(path)`)"
        }
    }
}
