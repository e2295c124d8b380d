import Foundation
import TestPeers
import Testing
import Trellis

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `/docs` page in a real browser: `Server serve` on a migrated scratch database, with the
/// Swagger UI files `make setup` installs into `.venv`, rendered by headless Chromium (Debian's
/// `chromium`, which `make setup` installs too). The page must list every operation of the
/// document `/openapi.json` serves, with no Content-Security-Policy violation; a screenshot of it is
/// saved to `.build/test-artifacts/docs.png` (the test prints the path).
@Suite struct DocsPageTests {
    static let secret = "docs-page-test-secret-docs-page-test-0123"
    static let browser = URL(fileURLWithPath: "/usr/bin/chromium")
    /// The repository root: this file is `Tests/AppTests/DocsPageTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let screenshot = root.appendingPathComponent(".build/test-artifacts/docs.png")

    @Test(.timeLimit(.minutes(5)))
    func chromiumShowsEveryOperation() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.browser.path),
            "no Chromium at \(Self.browser.path): run `make setup` (scripts/setup.sh installs Debian's chromium)"
        )
        let located = try DocsAssets.locate(environment: [:], directory: Self.root.path)
        let assets = try #require(
            located, "no Swagger UI files in \(Self.root.path)/.venv: run `make setup` (requirements-dev.txt pins flask-swagger-ui)"
        )
        try await ScratchDatabase.with("trellis_docs_page") { database in
            let migrate = try await ServerProcess.launch(["migrate"], databaseURL: database.url).finish()
            try #require(migrate.status == 0, "Server migrate: \(migrate.stderr)")
            let port = try FreePort.find()
            let server = try ServerProcess.launch(
                ["serve", "--host", "127.0.0.1", "--port", String(port)], databaseURL: database.url,
                environment: ["JWT_SECRET": Self.secret, "DOCS_ASSETS_DIR": assets.directory]
            )
            let base = "http://127.0.0.1:\(port)"
            do {
                try await ServeTests.waitUntilHealthy(base)
                try await Self.checkDocs(at: base)
            } catch {
                server.terminate()
                let served = await server.finish()
                throw TestSetupError("\(error)\n`Server serve` (status \(served.status)) wrote:\n\(served.stderr.prefix(3000))")
            }
            server.terminate()
            let served = await server.finish()
            #expect(served.status == 0, "graceful shutdown exits 0: \(served.stderr.suffix(3000))")
        }
    }

    /// An operation of the OpenAPI document.
    struct DocumentOperation {
        var method: String
        var path: String
        var id: String?
        var summary: String?
        /// Swagger UI shows the operation once under each of its tags (under "default" when it has none).
        var appearances: Int
    }

    /// The page's headers and assets, then the page in Chromium: its DOM and a screenshot.
    static func checkDocs(at base: String) async throws {
        let operations = try await Self.operations(at: base)
        try #require(operations.count >= 20, "the served document lists only \(operations.count) operations")
        #expect(operations.contains { $0.path == "/api/v1/projects/{id}" && $0.id == "getProject" })

        let page = try await fetch(base + "/docs")
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        let policy = page.headers["content-security-policy"] ?? ""
        for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'"] {
            #expect(policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.contains(directive), "\(policy)")
        }
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(!html.contains("cdn.jsdelivr.net"), "with the files installed the page loads nothing from the CDN:\n\(html)")
        for (file, type) in [
            ("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"), ("init.js", "text/javascript"),
        ] {
            let asset = try await fetch(base + "/docs/assets/" + file)
            #expect(asset.status == 200, "\(file)")
            #expect(asset.headers["content-type"]?.hasPrefix(type) == true, "\(file): \(asset.headers["content-type"] ?? "no type")")
            #expect(asset.headers["cache-control"] == "public, max-age=86400", "\(file)")
            #expect(html.contains("/docs/assets/\(file)"), "the page links \(file)")
        }
        #expect(try await fetch(base + "/docs/assets/index.html").status == 404)
        #expect(try await fetch(base + "/docs/assets/..%2F..%2FVERSION").status == 404)

        let dom = try await runChromium(["--enable-logging=stderr", "--v=0", "--dump-dom", base + "/docs"])
        try #require(dom.status == 0 && !dom.timedOut, "chromium --dump-dom \(base)/docs failed (status \(dom.status)):\n\(dom.stderr.suffix(3000))")
        let rendered = dom.stdout
        print("DocsPageTests: the DOM of \(base)/docs is \(rendered.utf8.count) bytes")
        #expect(!rendered.contains("Unable to render this definition"), "Swagger UI rejected the document:\n\(rendered.suffix(3000))")
        let blocks = rendered.components(separatedBy: #"class="opblock opblock-"#).count - 1
        let expected = operations.reduce(0) { $0 + $1.appearances }
        #expect(blocks == expected, "the page shows \(blocks) operation blocks; the document's \(operations.count) operations make \(expected)")
        var missing: [String] = []
        for operation in operations {
            var found = rendered.contains(#"data-path="\#(escaped(operation.path))""#)
            if let id = operation.id { found = found && rendered.contains(#"opblock-summary-operation-id">\#(escaped(id))<"#) }
            if let summary = operation.summary { found = found && rendered.contains(escaped(summary)) }
            if !found { missing.append("\(operation.method.uppercased()) \(operation.path) \(operation.id ?? "") \(operation.summary ?? "")") }
        }
        #expect(missing.isEmpty, "the page does not show these operations (path, id and summary):\n\(missing.joined(separator: "\n"))")
        print("DocsPageTests: the page shows \(blocks) operations, \(operations.count - missing.count) of them with path, id and summary")
        let violations = dom.stderr.split(separator: "\n").filter { $0.contains("Content Security Policy") }
        #expect(violations.isEmpty, "the page's Content-Security-Policy blocked something:\n\(violations.joined(separator: "\n"))")

        try FileManager.default.createDirectory(at: screenshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: screenshot)
        let shot = try await runChromium(["--hide-scrollbars", "--window-size=1280,2000", "--screenshot=\(screenshot.path)", base + "/docs"])
        try #require(shot.status == 0 && !shot.timedOut, "chromium --screenshot failed (status \(shot.status)):\n\(shot.stderr.suffix(3000))")
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "\(screenshot.path) is no screenshot (\(png.count) bytes)")
        print("DocsPageTests: screenshot of \(base)/docs saved to \(screenshot.path) (\(png.count) bytes)")
    }

    /// The operations of the document the server serves at `/openapi.json`.
    static func operations(at base: String) async throws -> [DocumentOperation] {
        let reply = try await fetch(base + "/openapi.json")
        try #require(reply.status == 200, "GET /openapi.json: \(reply.status)")
        let document = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any], "the document has no paths")
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var operations: [DocumentOperation] = []
        for (path, item) in paths {
            for (method, value) in item as? [String: Any] ?? [:] where methods.contains(method) {
                let operation = value as? [String: Any] ?? [:]
                operations.append(
                    DocumentOperation(
                        method: method, path: path, id: operation["operationId"] as? String, summary: operation["summary"] as? String,
                        appearances: max(1, (operation["tags"] as? [Any])?.count ?? 0)
                    )
                )
            }
        }
        return operations
    }

    /// Runs headless Chromium (as root it needs `--no-sandbox`) with a profile of its own, removed after.
    static func runChromium(_ arguments: [String]) async throws -> ChildProcess.Run {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = try ChildProcess.launch(
            browser,
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--no-default-browser-check", "--user-data-dir=\(profile.path)", "--virtual-time-budget=10000",
            ] + arguments,
            timeout: .seconds(90)
        )
        return await process.finish()
    }

    /// `text` as the DOM serializer writes it in text and attribute values.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\u{00A0}", with: "&nbsp;")
    }

    struct Reply {
        var status: Int
        /// By lowercased name.
        var headers: [String: String]
        var body: Data
    }

    static func fetch(_ url: String) async throws -> Reply {
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return Reply(status: http?.statusCode ?? 0, headers: headers, body: body)
    }
}
