import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A test peer (a server script of scripts/) run as a child process with the project's
/// `.venv/bin/python`: its output goes to files in its own temporary folder (Foundation's pipes
/// would leak into anything it starts), it says it listens by writing a ready file, and it is
/// stopped when the test's closure ends, however it ends (SIGTERM, then SIGKILL: the test runner
/// starts children with SIGTERM blocked, which the scripts unblock).
public struct PeerProcess: Sendable {
    /// Why a peer could not be started.
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The repository's root (this file is Tests/TestPeers/PeerProcess.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The project's Python, which has the test requirements (scripts/setup.sh makes it).
    public static var python: URL { root.appendingPathComponent(".venv/bin/python") }

    /// The folder the peer's files go in (its output, its records, its ready file).
    public let directory: URL
    /// The port it listens on, as its ready file says.
    public let port: Int
    private let process: ProcessBox

    /// Runs `scripts/<script>` with `arguments` (`{dir}` in them is replaced by the peer's folder),
    /// plus `--ready-file`, waits (up to `timeout`) for the ready file, gives the peer to `body`,
    /// and stops it afterwards.
    public static func with<Result>(
        script: String, arguments: [String], in directory: URL? = nil, timeout: Duration = .seconds(20),
        _ body: (PeerProcess) async throws -> Result
    ) async throws -> Result {
        let directory = try directory ?? temporaryDirectory(named: script)
        let peer = try await launch(script: script, arguments: arguments, directory: directory, timeout: timeout)
        let result: Result
        do {
            result = try await body(peer)
        } catch {
            await peer.stop()
            throw error
        }
        await peer.stop()
        return result
    }

    /// A new empty folder under the temporary directory.
    public static func temporaryDirectory(named name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "trellis-\(name.replacingOccurrences(of: ".py", with: ""))-\(UUID().uuidString.prefix(8))"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private static func launch(script: String, arguments: [String], directory: URL, timeout: Duration)
        async throws -> PeerProcess
    {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw SetupError("no \(python.path): run scripts/setup.sh")
        }
        let ready = directory.appendingPathComponent("ready")
        let stdout = directory.appendingPathComponent("stdout.log")
        let stderr = directory.appendingPathComponent("stderr.log")
        for file in [stdout, stderr] {
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let process = Process()
        process.executableURL = python
        process.arguments =
            [root.appendingPathComponent("scripts/\(script)").path]
            + arguments.map { $0.replacingOccurrences(of: "{dir}", with: directory.path) } + [
                "--ready-file", ready.path,
            ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        let box = ProcessBox(process)

        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end {
            if let text = try? String(contentsOf: ready, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return PeerProcess(directory: directory, port: port, process: box)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        box.signal(SIGKILL)
        let log = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        throw SetupError("\(script) did not get ready in \(timeout): \(log.suffix(2000))")
    }

    /// Stops the peer: SIGTERM, then SIGKILL if it is still there after two seconds.
    public func stop() async {
        process.signal(SIGTERM)
        for _ in 0..<40 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        process.signal(SIGKILL)
    }

    /// The JSON lines the peer recorded in `file` (of its folder), parsed.
    public func records(in file: String) -> [[String: Any]] {
        let text =
            (try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The peer's standard error so far (for failure messages).
    public var stderr: String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr.log"), encoding: .utf8)) ?? ""
    }
}

/// The child process, shared by copies of a ``PeerProcess``.
private final class ProcessBox: @unchecked Sendable {
    private let process: Process

    init(_ process: Process) { self.process = process }

    var isRunning: Bool { process.isRunning }

    /// Sends `signal` while the process runs (it has not been reaped, so the id is still its own).
    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }
}

/// A TCP port nobody listens on right now (bound to port 0, then released).
public enum FreePort {
    public static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PeerProcess.SetupError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw PeerProcess.SetupError("could not bind a probe socket") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
