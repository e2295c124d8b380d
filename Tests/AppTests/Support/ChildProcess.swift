import Foundation

/// An executable run as a child process with its output collected as it runs, terminated (SIGTERM)
/// when it outlives `timeout`: `Server` (through `ServerProcess`) and the outside judges' tools.
struct ChildProcess {
    /// How a finished process ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Whether the process was still running at its time limit (and so was terminated).
        var timedOut: Bool
    }

    /// Whether the time limit ended the process.
    private final class Expiry: @unchecked Sendable {
        private let lock = NSLock()
        private var expired = false

        var value: Bool { lock.withLock { expired } }
        func expire() { lock.withLock { expired = true } }
    }

    private let process: Process
    private let expiry: Expiry
    private let stdout: Task<String, Never>
    private let stderr: Task<String, Never>
    private let exit: AsyncStream<Int32>

    /// Starts `executable` with `arguments`, the test process's environment plus `environment`, in
    /// `directory` (or the current one).
    static func launch(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
        timeout: DispatchTimeInterval
    ) throws -> ChildProcess {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestSetupError("no executable at \(executable.path)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        let (exit, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { process in
            exited.yield(process.terminationStatus)
            exited.finish()
        }
        let (stdout, stderr) = (Pipe(), Pipe())
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let expiry = Expiry()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if process.isRunning {
                expiry.expire()
                process.terminate()
            }
        }
        return ChildProcess(
            process: process, expiry: expiry, stdout: Task { await readToEnd(stdout) }, stderr: Task { await readToEnd(stderr) },
            exit: exit
        )
    }

    /// Sends SIGTERM, if the process still runs.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Sends SIGKILL: the process dies at once, without cleaning up.
    func kill() {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// The child's process id.
    var processIdentifier: Int32 { process.processIdentifier }

    /// Waits for the process to exit and returns its status and output; cancelling the waiting task
    /// (a test's time limit) terminates the process.
    func finish() async -> Run {
        let (process, exit) = (process, exit)
        let status = await withTaskCancellationHandler {
            var status: Int32 = -1
            for await code in exit { status = code }
            return status
        } onCancel: {
            if process.isRunning { process.terminate() }
        }
        return Run(status: status, stdout: await stdout.value, stderr: await stderr.value, timedOut: expiry.value)
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
