import App
import Foundation
import TestPeers
import Testing

/// schemathesis, an outside judge of the whole API: a live `Server serve` on a freshly seeded
/// database, every operation of the document it serves fuzzed with every schemathesis check, plus
/// the checks of scripts/schemathesis/hooks.py (above all `tenant_isolation`: what Acme's owner
/// reaches, Globex's owner must find answering 404). A fixed seed and a bounded number of examples
/// per operation keep the run repeatable and about a minute long.
///
/// schemathesis is pinned in requirements-dev.txt and installed into `.venv` by `make setup`
/// (`make test` runs it first); without it this test is skipped, never passed.
@Suite struct SchemathesisTests {
    static let secret = "schemathesis-test-secret-schemathesis-0123"

    @Test(
        .enabled(if: Schemathesis.isInstalled, "needs schemathesis in .venv: `make setup` installs it from requirements-dev.txt"),
        .timeLimit(.minutes(15))
    )
    func liveServerPassesEveryCheck() async throws {
        try await Schemathesis.requirePinnedVersion()
        try await ScratchDatabase.with("trellis_schemathesis") { database in
            for command in [["migrate"], ["seed"]] {
                let run = try await ServerProcess.launch(command, databaseURL: database.url).finish()
                try #require(run.status == 0, "Server \(command.joined(separator: " ")): \(run.stderr)")
            }
            let port = try FreePort.find()
            let server = try ServerProcess.launch(
                ["serve", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warning"], databaseURL: database.url,
                environment: [
                    "JWT_SECRET": Self.secret,
                    // The fuzzer signs in (and fails to) far more often than 5 times a minute, and
                    // sends thousands of requests a minute as one user and from one address.
                    "LOGIN_ATTEMPTS_PER_MINUTE": "10000", "RATE_LIMIT_PER_MINUTE": "0", "RATE_LIMIT_ANONYMOUS_PER_MINUTE": "0",
                ],
                timeout: .seconds(15 * 60)
            )
            let base = "http://127.0.0.1:\(port)"
            let judged: ChildProcess.Run
            do {
                try await ServeTests.waitUntilHealthy(base)
                let acme = try await Self.signIn(Users.user(.owner, in: "acme").email, at: base)
                let globex = try await Self.signIn(Users.user(.owner, in: "globex").email, at: base)
                judged = try await Schemathesis.run(
                    against: base,
                    environment: [
                        "TRELLIS_ACME_TOKEN": acme, "TRELLIS_ACME_EMAIL": Users.user(.owner, in: "acme").email,
                        "TRELLIS_GLOBEX_TOKEN": globex, "TRELLIS_GLOBEX_EMAIL": Users.user(.owner, in: "globex").email,
                        "TRELLIS_DEMO_PASSWORD": DemoData.password,
                    ]
                )
            } catch {
                server.terminate()
                let served = await server.finish()
                throw TestSetupError("\(error)\n`Server serve` (status \(served.status)) wrote:\n\(served.stderr.prefix(3000))")
            }
            server.terminate()
            let served = await server.finish()
            // One issue per failing operation, then the summary: a console drops the end of one long message.
            let passed = judged.status == 0 && !judged.timedOut
            if !passed {
                for section in Schemathesis.failedSections(of: judged.stdout) { Issue.record(Comment(rawValue: section)) }
            }
            #expect(passed, Comment(rawValue: Schemathesis.summary(of: judged, base: base)))
            #expect(
                served.status == 0 && !served.stderr.contains("Fatal error") && !served.stderr.contains("Program crashed"),
                "the server did not shut down cleanly after the run (status \(served.status)):\n\(served.stderr.suffix(4000))"
            )
        }
    }

    /// An access token of `email`, signed in with the demo password.
    static func signIn(_ email: String, at base: String) async throws -> String {
        let reply = try await ServeTests.send(
            "POST", base + "/api/v1/auth/login", json: #"{"email": "\#(email)", "password": "\#(DemoData.password)"}"#
        )
        try #require(reply.status == 200, "signing in as \(email): \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        return try #require((reply.json["data"] as? [String: Any])?["access_token"] as? String)
    }
}

/// The project's schemathesis (`.venv/bin/schemathesis`), how the test runs it and how a person reruns it.
enum Schemathesis {
    /// The repository root: this file is `Tests/AppTests/SchemathesisTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let executable = root.appendingPathComponent(".venv/bin/schemathesis")
    static let hooks = "scripts/schemathesis/hooks.py"
    static let configuration = "scripts/schemathesis/schemathesis.toml"
    /// Fixed, so that every run draws the same requests (with the pinned schemathesis and Hypothesis).
    static let seed = 1
    /// Per operation and phase; bounds the run to about a minute on two cores.
    static let maxExamples = 50
    /// A run still going after this long is stopped and fails.
    static let timeout: DispatchTimeInterval = .seconds(10 * 60)

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }

    /// `schemathesis run` against the server at `base`, every argument but the schema's address fixed.
    static func arguments(base: String) -> [String] {
        [
            "--config-file", root.appendingPathComponent(configuration).path,
            "run", base + "/openapi.json",
            "--checks", "all",
            // Cascades make it report deleted children as lost (the command line outranks the
            // config file, so it is excluded here); hooks.py's `created_rows_stay_available` replaces it.
            "--exclude-checks", "ensure_resource_availability",
            "--seed", String(seed),
            "--max-examples", String(maxExamples),
            // One worker: requests change the database, so their order must not vary between runs.
            "--workers", "1",
            // Every failing check of every operation, not only the first one found.
            "--continue-on-failure",
            "--no-color",
        ]
    }

    /// The same run as a shell command for the repository root (the tokens are not in it: the hooks
    /// sign in themselves when `TRELLIS_ACME_TOKEN` / `TRELLIS_GLOBEX_TOKEN` are unset).
    static func command(base: String) -> String {
        let arguments = arguments(base: base).map { $0.replacingOccurrences(of: root.path + "/", with: "") }
        return (["SCHEMATHESIS_HOOKS=\(hooks)", ".venv/bin/schemathesis"] + arguments).map(shellQuoted).joined(separator: " ")
    }

    /// Runs schemathesis against `base` in a scratch folder (schemathesis writes `.hypothesis/`
    /// into its working directory); the folder stays, with the output, when the run fails.
    static func run(against base: String, environment: [String: String]) async throws -> ChildProcess.Run {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-schemathesis-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let process = try ChildProcess.launch(
            executable, arguments(base: base),
            environment: environment.merging([
                "SCHEMATHESIS_HOOKS": root.appendingPathComponent(hooks).path,
                "PYTHONDONTWRITEBYTECODE": "1",
                "COLUMNS": "120",
            ]) { _, new in new },
            directory: folder, timeout: timeout
        )
        let run = await process.finish()
        if run.status == 0 && !run.timedOut {
            try? FileManager.default.removeItem(at: folder)
        } else {
            try? Data((run.stdout + "\n--- stderr ---\n" + run.stderr).utf8).write(to: folder.appendingPathComponent("output.txt"))
        }
        return run
    }

    /// Fails unless `.venv` holds the version requirements-dev.txt pins (a stale venv would judge
    /// with other checks and draw other requests from the same seed).
    static func requirePinnedVersion() async throws {
        let requirements = try String(contentsOf: root.appendingPathComponent("requirements-dev.txt"), encoding: .utf8)
        let pinned = try #require(
            requirements.split(separator: "\n").first { $0.hasPrefix("schemathesis==") }?.dropFirst("schemathesis==".count),
            "requirements-dev.txt pins no schemathesis version"
        )
        let run = try await ChildProcess.launch(executable, ["--version"], timeout: .seconds(60)).finish()
        try #require(
            run.stdout.contains("version \(pinned)"),
            "\(executable.path) is not schemathesis \(pinned) (\(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))): run `make setup`"
        )
    }

    /// The sections of schemathesis's report under ERRORS and FAILURES, one per operation (or for
    /// the stateful tests), each cut to about 4 000 characters.
    static func failedSections(of output: String) -> [String] {
        var sections: [String] = []
        var current: [Substring]?
        var inFailures = false
        func close() {
            if let lines = current {
                var text = lines.map { $0.count > 1_500 ? String($0.prefix(1_500)) + " [...]" : String($0) }
                    .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                if text.count > 4_000 { text = String(text.prefix(4_000)) + "\n[... the rest is in the whole output ...]" }
                sections.append(text)
            }
            current = nil
        }
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("====") {
                close()
                inFailures = line.contains(" FAILURES ") || line.contains(" ERRORS ")
            } else if inFailures && line.hasPrefix("___") && line.hasSuffix("___") {
                close()
                current = [line]
            } else if current != nil {
                current?.append(line)
            }
        }
        close()
        return sections
    }

    /// What a failed run found (schemathesis's summary) and how to rerun it.
    static func summary(of run: ChildProcess.Run, base: String) -> String {
        var parts: [String] = []
        if run.timedOut {
            parts.append("schemathesis was stopped after \(timeout) without finishing.")
        } else {
            parts.append("schemathesis found problems in the live API (exit status \(run.status): 1 = failed checks, 2 = error); the issues above hold its report.")
        }
        if let summary = run.stdout.range(of: "= SUMMARY =", options: .backwards) {
            let text = run.stdout[lineStart(of: summary.lowerBound, in: run.stdout)...]
            parts.append(String(text.trimmingCharacters(in: .whitespacesAndNewlines).suffix(2_500)))
        } else {
            parts.append(String(run.stdout.suffix(2_500)))
        }
        let stderr = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if !stderr.isEmpty { parts.append("stderr:\n" + String(stderr.suffix(1_500))) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-schemathesis-\(getpid())")
        parts.append(
            """
            The whole output: \(folder.appendingPathComponent("output.txt").path)
            To reproduce, serve a freshly seeded database with sign-in unthrottled, like this test does, e.g.
                make db.reset && LOGIN_ATTEMPTS_PER_MINUTE=10000 RATE_LIMIT_PER_MINUTE=0 RATE_LIMIT_ANONYMOUS_PER_MINUTE=0 make run
            then run, in \(root.path):
                \(command(base: "http://127.0.0.1:8080"))
            (this run: the same against \(base)/openapi.json). The hooks sign in as owner@acme.test (every request) \
            and owner@globex.test (`tenant_isolation`) with the demo password, or use TRELLIS_ACME_TOKEN / \
            TRELLIS_GLOBEX_TOKEN when set. In the curl commands of the report, `Authorization: [Filtered]` is Acme's \
            token: write `-H "Authorization: Bearer $TRELLIS_ACME_TOKEN"` (`make token EMAIL=owner@acme.test` prints \
            one for the server of `make run`). scripts/schemathesis/README.md says what each check wants.
            """
        )
        return parts.joined(separator: "\n\n")
    }

    /// Where the line holding `index` starts.
    static func lineStart(of index: String.Index, in text: String) -> String.Index {
        text[..<index].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
    }

    static func shellQuoted(_ word: String) -> String {
        let plain = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./=:,@"))
        return word.unicodeScalars.allSatisfy(plain.contains) ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
