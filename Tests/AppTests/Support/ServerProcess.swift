import Foundation

/// A running `Server` executable (built next to the test bundle); its output is collected as it runs.
struct ServerProcess {
    /// How a finished process ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A process still running after this long is terminated, so a stuck run fails instead of hanging.
    static let timeout: DispatchTimeInterval = .seconds(120)

    /// The `Server` executable in the build products directory, which holds the test bundle:
    /// `.build/debug/TrellisPackageTests.xctest` is an executable on Linux (`Bundle.main` is its
    /// folder) and a bundle directory on macOS.
    static let executable: URL = {
        let products = Bundle.allBundles.first { $0.bundleURL.pathExtension == "xctest" }?.bundleURL.deletingLastPathComponent()
        return (products ?? Bundle.main.bundleURL).appendingPathComponent("Server")
    }()

    private let process: Process
    private let stdout: Task<String, Never>
    private let stderr: Task<String, Never>
    private let exit: AsyncStream<Int32>

    /// Starts `Server <arguments>` with `DATABASE_URL` set to `databaseURL`, plus `environment`.
    static func launch(_ arguments: [String], databaseURL: String, environment: [String: String] = [:]) throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestSetupError("no Server executable at \(executable.path); build with `swift build --build-tests`")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["DATABASE_URL": databaseURL]) { _, new in new }) {
            _, new in new
        }
        let (exit, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { process in
            exited.yield(process.terminationStatus)
            exited.finish()
        }
        let (stdout, stderr) = (Pipe(), Pipe())
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if process.isRunning { process.terminate() }
        }
        return ServerProcess(
            process: process, stdout: Task { await readToEnd(stdout) }, stderr: Task { await readToEnd(stderr) }, exit: exit
        )
    }

    /// Sends SIGTERM, as an orchestrator stopping the service does.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Waits for the process to exit and returns its status and output.
    func finish() async -> Run {
        var status: Int32 = -1
        for await code in exit { status = code }
        return Run(status: status, stdout: await stdout.value, stderr: await stderr.value)
    }

    /// Reads `pipe` until the process closes it, on a thread outside Swift's cooperative pool.
    private static func readToEnd(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            }
        }
    }
}
