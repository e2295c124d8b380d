import Foundation
import PackagePlugin

/// `swift package trellis generate|check|lint [options]`: runs the Trellis CLI in the package
/// folder, so it reads `specs/` and `templates/` and writes or verifies `generated/`.
@main
struct TrellisCommandPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let tool = try context.tool(named: "TrellisCLI")
        let process = Process()
        process.executableURL = tool.url
        process.arguments = arguments.isEmpty ? ["--help"] : arguments
        process.currentDirectoryURL = context.package.directoryURL
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            Diagnostics.error("trellis \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus))")
            throw CommandError.failed(process.terminationStatus)
        }
    }

    enum CommandError: Error {
        case failed(Int32)
    }
}
