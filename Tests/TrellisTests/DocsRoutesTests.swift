import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import Trellis

/// `/docs` and `/docs/assets/:file` in process: with a folder of stand-in Swagger UI files, and
/// without one (Swagger UI from the CDN). Tests/AppTests/DocsPageTests.swift renders the real page.
@Suite struct DocsRoutesTests {
    /// The repository root: this file is `Tests/TrellisTests/DocsRoutesTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A fresh folder holding small stand-ins for Swagger UI's files, and a file `/docs` must not serve.
    static func makeFolder(at location: URL? = nil) throws -> URL {
        let folder = location ?? FileManager.default.temporaryDirectory.appendingPathComponent("trellis-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("window.SwaggerUIBundle = function () {};\n".utf8).write(to: folder.appendingPathComponent("swagger-ui-bundle.js"))
        try Data(".swagger-ui {}\n".utf8).write(to: folder.appendingPathComponent("swagger-ui.css"))
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: folder.appendingPathComponent("favicon-32x32.png"))
        try Data("v5.34.0\n".utf8).write(to: folder.appendingPathComponent("VERSION"))
        try Data("<p>not served</p>\n".utf8).write(to: folder.appendingPathComponent("index.html"))
        return folder
    }

    static func makeRouter(_ assets: DocsAssets?) -> Router<TrellisRequestContext> {
        let router = Router(context: TrellisRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        DocsRoutes(assets: assets).add(to: router)
        return router
    }

    @Test func servesThePageAndTheFilesOfTheFolder() async throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let assets = try DocsAssets(directory: folder.path)
        #expect(assets.version == "5.34.0")
        try await Application(router: Self.makeRouter(assets)).test(.router) { client in
            let page = try await client.executeRequest(uri: "/docs", method: .get, headers: [:], body: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(
                page.headers[.contentSecurityPolicy]
                    == "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            )
            let html = String(buffer: page.body)
            for file in ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "init.js"] {
                #expect(html.contains("\"/docs/assets/\(file)\""), "\(file)")
            }
            #expect(!html.contains("cdn.jsdelivr.net"))
            // Every script is a file: the policy allows no inline script.
            #expect(html.components(separatedBy: "<script").dropFirst().allSatisfy { $0.hasPrefix(" src=\"") })

            for (file, type) in [
                ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"), ("swagger-ui.css", "text/css; charset=utf-8"),
                ("favicon-32x32.png", "image/png"),
            ] {
                let response = try await client.executeRequest(uri: "/docs/assets/\(file)", method: .get, headers: [:], body: nil)
                #expect(response.status == .ok, "\(file)")
                #expect(response.headers[.contentType] == type, "\(file)")
                #expect(response.headers[.cacheControl] == "public, max-age=86400", "\(file)")
                let contents = try Data(contentsOf: folder.appendingPathComponent(file))
                #expect(Data(response.body.readableBytesView) == contents, "\(file)")
            }
            let script = try await client.executeRequest(uri: "/docs/assets/init.js", method: .get, headers: [:], body: nil)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(String(buffer: script.body).contains(#"url: "/openapi.json""#))
        }
    }

    @Test(arguments: [
        "/docs/assets/index.html", "/docs/assets/VERSION", "/docs/assets/swagger-ui.js", "/docs/assets/..%2Findex.html",
        "/docs/assets/%2E%2E%2F%2E%2E%2FPackage.swift", "/docs/assets/../assets/index.html", "/docs/assets/swagger-ui.css/x",
        "/docs/assets", "/docs/index.html",
    ])
    func servesNoOtherFile(uri: String) async throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let router = Self.makeRouter(try DocsAssets(directory: folder.path))
        try await Application(router: router).test(.router) { client in
            let response = try await client.executeRequest(uri: uri, method: .get, headers: [:], body: nil)
            #expect(response.status == .notFound, "\(uri)")
            #expect(!String(buffer: response.body).contains("not served"), "\(uri)")
        }
    }

    /// The spec tests' routes-match-document check leaves out exactly these routes: the docs
    /// page's, the development mailbox's and the received webhooks'.
    @Test func theRoutesAreTheUndocumentedOnes() throws {
        let router = Self.makeRouter(nil)
        let database = Database(client: PostgresClient(configuration: try PostgresClient.Configuration(url: "postgres://nobody@127.0.0.1:1/none")))
        MailboxRoutes(database: database).add(to: router)
        IncomingWebhooks([]).addRoutes(to: router, database: database)
        let routes = router.routes.map { "\($0.method.rawValue) \($0.path.description)" }
        #expect(Set(routes) == TrellisServer.undocumentedRoutes)
    }

    @Test func withoutAFolderThePageLoadsSwaggerUIFromTheCDN() async throws {
        try await Application(router: Self.makeRouter(nil)).test(.router) { client in
            let page = try await client.executeRequest(uri: "/docs", method: .get, headers: [:], body: nil)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            let cdn = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@\(DocsAssets.swaggerUIVersion)"
            #expect(html.contains(#"<script src="\#(cdn)/swagger-ui-bundle.js"></script>"#))
            #expect(html.contains(#"<link rel="stylesheet" href="\#(cdn)/swagger-ui.css">"#))
            #expect(html.contains(#"<script src="/docs/assets/init.js"></script>"#))
            #expect(
                page.headers[.contentSecurityPolicy]
                    == "default-src 'none'; script-src 'self' \(cdn)/; style-src 'self' \(cdn)/; "
                    + "img-src 'self' data: \(cdn)/; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                    + "frame-ancestors 'none'",
                "only the pinned Swagger UI folder of the CDN, not every package it serves"
            )
            let script = try await client.executeRequest(uri: "/docs/assets/init.js", method: .get, headers: [:], body: nil)
            #expect(script.status == .ok)
            let bundle = try await client.executeRequest(uri: "/docs/assets/swagger-ui-bundle.js", method: .get, headers: [:], body: nil)
            #expect(bundle.status == .notFound)
        }
    }

    @Test func locatesTheFolderInTheVenvOrAtDocsAssetsDir() throws {
        let project = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-docs-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: project) }
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        #expect(try DocsAssets.locate(environment: [:], directory: project.path)?.directory == nil)

        let installed = try Self.makeFolder(at: project.appendingPathComponent(".venv/lib/python3.11/site-packages/flask_swagger_ui/dist"))
        let found = try #require(try DocsAssets.locate(environment: [:], directory: project.path))
        #expect(URL(fileURLWithPath: found.directory).standardizedFileURL.path == installed.standardizedFileURL.path)

        let other = try Self.makeFolder(at: project.appendingPathComponent("elsewhere"))
        let configured = try #require(try DocsAssets.locate(environment: ["DOCS_ASSETS_DIR": other.path], directory: project.path))
        #expect(configured.directory == other.path)

        let empty = project.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: DocsAssetsError.self) {
            try DocsAssets.locate(environment: ["DOCS_ASSETS_DIR": empty.path], directory: project.path)
        }
    }

    /// The CDN fallback loads the Swagger UI version `make setup` installs.
    @Test func theCDNVersionIsThePinnedOne() throws {
        let requirements = try String(contentsOf: Self.root.appendingPathComponent("requirements-dev.txt"), encoding: .utf8)
        #expect(requirements.split(separator: "\n").contains("flask-swagger-ui==\(DocsAssets.swaggerUIVersion)"))
    }
}
