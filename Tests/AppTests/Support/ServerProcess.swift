import Foundation

/// The `Server` executable (built next to the test bundle), run as a child process.
enum ServerProcess {
    /// A run still going after this long is terminated, so a stuck one fails instead of hanging.
    static let timeout: DispatchTimeInterval = .seconds(120)

    /// The `Server` executable in the build products directory, which holds the test bundle:
    /// `.build/debug/TrellisPackageTests.xctest` is an executable on Linux (`Bundle.main` is its
    /// folder) and a bundle directory on macOS.
    static let executable: URL = {
        let products = Bundle.allBundles.first { $0.bundleURL.pathExtension == "xctest" }?.bundleURL.deletingLastPathComponent()
        return (products ?? Bundle.main.bundleURL).appendingPathComponent("Server")
    }()

    /// Starts `Server <arguments>` with `DATABASE_URL` set to `databaseURL`, plus `environment`.
    static func launch(
        _ arguments: [String], databaseURL: String, environment: [String: String] = [:], timeout: DispatchTimeInterval = timeout
    ) throws -> ChildProcess {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestSetupError("no Server executable at \(executable.path); build with `swift build --build-tests`")
        }
        return try ChildProcess.launch(
            executable, arguments, environment: environment.merging(["DATABASE_URL": databaseURL]) { _, new in new }, timeout: timeout
        )
    }
}
