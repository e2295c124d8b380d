import Testing
import Trellis
import TrellisGenerator

/// The generator's ledger and the runtime's migrator compute a migration's checksum with two
/// implementations of SHA-256 (the generator's own, swift-crypto's): they must agree, or every
/// applied migration would look edited.
struct MigrationChecksumAgreementTests {
    @Test(arguments: [
        "",
        "CREATE TABLE t (id uuid PRIMARY KEY);\n",
        String(repeating: "ALTER TABLE t ADD COLUMN é text; -- ünïcode\n", count: 300),
    ])
    func generatorAndMigratorAgree(sql: String) {
        #expect(MigrationFile(id: "20261126120000_example", sql: sql).sha256 == Migration(id: "20261126120000_example", sql: sql).checksum)
    }
}
