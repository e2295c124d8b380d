import ArgumentParser

@main
struct TrellisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trellis",
        abstract: "Generate a Hummingbird + PostgreSQL service from YAML resource specs.",
        subcommands: [Generate.self, Check.self, Lint.self, GenerateSources.self, GenerateTests.self, EmbedTemplates.self]
    )
}
