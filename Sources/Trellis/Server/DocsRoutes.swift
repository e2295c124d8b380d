import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The Swagger UI files the `/docs` page uses, read into memory once from a Swagger UI
/// distribution folder: `swagger-ui-bundle.js`, `swagger-ui.css` and, when the folder has it,
/// `favicon-32x32.png`.
///
/// `make setup` installs the folder from PyPI (`flask-swagger-ui`, pinned in requirements-dev.txt)
/// into `.venv`; ``locate(environment:directory:)`` finds it there, or at `DOCS_ASSETS_DIR`.
/// Without it the page loads the same Swagger UI version from a CDN (``cdnBase``).
public struct DocsAssets: Sendable {
    /// The Swagger UI version requirements-dev.txt pins; the CDN fallback loads this one.
    public static let swaggerUIVersion = "5.34.0"
    /// The CDN the page falls back to; its Content-Security-Policy allows this origin then.
    public static let cdnOrigin = "https://cdn.jsdelivr.net"
    /// Where the CDN serves the files of Swagger UI ``swaggerUIVersion`` (no trailing slash).
    public static var cdnBase: String { "\(cdnOrigin)/npm/swagger-ui-dist@\(swaggerUIVersion)" }

    /// A file of the folder that `/docs/assets/` serves, by its name in both.
    struct File: Sendable {
        var name: String
        var contentType: String
        /// Whether a folder without it is no Swagger UI folder (else the page goes without it).
        var required: Bool
    }

    /// Every file taken from the folder; `/docs/assets/` serves nothing else from it.
    static let files = [
        File(name: "swagger-ui-bundle.js", contentType: "text/javascript; charset=utf-8", required: true),
        File(name: "swagger-ui.css", contentType: "text/css; charset=utf-8", required: true),
        File(name: "favicon-32x32.png", contentType: "image/png", required: false),
    ]

    /// The folder the files were read from.
    public let directory: String
    /// The Swagger UI version the folder's `VERSION` file names (`v5.34.0` reads as `5.34.0`), if it has one.
    public let version: String?
    /// The files read, by name.
    let contents: [String: ByteBuffer]

    /// Reads the files of the Swagger UI distribution folder `directory`.
    /// - Throws: ``DocsAssetsError`` when the folder lacks `swagger-ui-bundle.js` or `swagger-ui.css`.
    public init(directory: String) throws(DocsAssetsError) {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        var contents: [String: ByteBuffer] = [:]
        for file in Self.files {
            let path = folder.appendingPathComponent(file.name).path
            if let data = FileManager.default.contents(atPath: path) {
                contents[file.name] = ByteBuffer(bytes: data)
            } else if file.required {
                throw DocsAssetsError(directory: directory, problem: "holds no readable \(file.name)")
            }
        }
        self.directory = directory
        self.contents = contents
        let versionFile = FileManager.default.contents(atPath: folder.appendingPathComponent("VERSION").path)
        let text = versionFile.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        self.version = text.isEmpty ? nil : String(text.hasPrefix("v") ? text.dropFirst() : Substring(text))
    }

    /// Finds the Swagger UI folder: `DOCS_ASSETS_DIR` when `environment` sets it, else the one
    /// `make setup` installs into the project's venv under `directory`
    /// (`.venv/lib/python3*/site-packages/flask_swagger_ui/dist`).
    /// - Returns: nil when `DOCS_ASSETS_DIR` is unset and the venv holds no such folder: the page
    ///   then loads Swagger UI from the CDN.
    /// - Throws: ``DocsAssetsError`` when `DOCS_ASSETS_DIR` names a folder without the files.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = FileManager.default.currentDirectoryPath
    ) throws(DocsAssetsError) -> DocsAssets? {
        if let configured = environment["DOCS_ASSETS_DIR"], !configured.isEmpty {
            return try DocsAssets(directory: configured)
        }
        let lib = URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent(".venv/lib", isDirectory: true)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        // The newest Python first, should the venv hold more than one.
        for python in entries.filter({ $0.hasPrefix("python3") }).sorted().reversed() {
            let folder = lib.appendingPathComponent(python, isDirectory: true)
                .appendingPathComponent("site-packages/flask_swagger_ui/dist", isDirectory: true)
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("swagger-ui-bundle.js").path) {
                return try DocsAssets(directory: folder.path)
            }
        }
        return nil
    }

    /// What ``locate(environment:directory:)`` finds for this process (its environment and current
    /// directory), looked up once. Logs (label `trellis.docs`) at info level when `/docs` falls back
    /// to the CDN, and a warning when `DOCS_ASSETS_DIR` names a folder without the files (the page
    /// falls back to the CDN then too).
    public static let installed: DocsAssets? = {
        let logger = Logger(label: "trellis.docs")
        do {
            if let assets = try DocsAssets.locate() {
                logger.debug(
                    "serving Swagger UI for /docs from a local folder",
                    metadata: ["directory": "\(assets.directory)", "version": "\(assets.version ?? "unknown")"]
                )
                return assets
            }
            logger.info(
                "no Swagger UI folder (run `make setup`, or set DOCS_ASSETS_DIR): /docs loads Swagger UI from the CDN",
                metadata: ["cdn": "\(DocsAssets.cdnBase)"]
            )
        } catch {
            logger.warning("DOCS_ASSETS_DIR is unusable: /docs loads Swagger UI from the CDN", metadata: ["error": "\(error)"])
        }
        return nil
    }()
}

/// Why a folder is no Swagger UI distribution folder.
public struct DocsAssetsError: Error, CustomStringConvertible, Sendable {
    public var directory: String
    public var problem: String

    public var description: String { "Swagger UI folder \(directory) \(problem)" }
}

/// `GET /docs`: the API's OpenAPI document (`/openapi.json`) in Swagger UI, and
/// `GET /docs/assets/:file`: the page's script and style sheets.
///
/// The assets are the files of ``DocsAssets`` (served from memory; any other name answers 404, so
/// no path reaches the file system) plus `init.js`, the page's own script, which starts Swagger UI.
/// Without ``DocsAssets`` the page takes Swagger UI from the CDN instead. The page's
/// Content-Security-Policy allows no inline script or style: scripts and style sheets come from the
/// server itself (or the CDN), images also from `data:` URLs, and requests ("Try it out") go only to
/// the server itself.
struct DocsRoutes: Sendable {
    /// Where the served files live.
    static let assetsPath = "/docs/assets"
    /// How long browsers and proxies keep an asset.
    static let assetCacheControl = "public, max-age=86400"

    /// The page's script: Swagger UI on `/openapi.json` (a file, since the policy allows no inline script).
    static let initScript = """
        // Starts Swagger UI on the API's OpenAPI document (served by Trellis: DocsRoutes.swift).
        window.addEventListener("load", function () {
          window.ui = SwaggerUIBundle({
            url: "/openapi.json",
            dom_id: "#swagger-ui",
            deepLinking: true,
            displayOperationId: true,
            validatorUrl: null,
            presets: [SwaggerUIBundle.presets.apis],
            layout: "BaseLayout"
          });
        });

        """

    let assets: DocsAssets?
    /// The page, its Content-Security-Policy, and the assets with their content types.
    private let pageBody: ByteBuffer
    private let pagePolicy: String
    private let served: [String: (contentType: String, body: ByteBuffer)]

    /// The routes for `assets`, or for Swagger UI from the CDN when nil.
    init(assets: DocsAssets?) {
        self.assets = assets
        var served: [String: (contentType: String, body: ByteBuffer)] = [
            "init.js": ("text/javascript; charset=utf-8", ByteBuffer(string: Self.initScript))
        ]
        if let assets {
            for file in DocsAssets.files {
                if let body = assets.contents[file.name] { served[file.name] = (file.contentType, body) }
            }
        }
        self.served = served
        pageBody = ByteBuffer(string: Self.renderPage(assets: assets))
        pagePolicy = Self.policy(cdn: assets == nil)
    }

    func add(to router: Router<TrellisRequestContext>) {
        let (page, policy, served) = (pageBody, pagePolicy, self.served)
        router.get("/docs") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: policy],
                body: .init(byteBuffer: page)
            )
        }
        router.get("\(Self.assetsPath)/:file") { _, context -> Response in
            guard let name = context.parameters.get("file"), let asset = served[name] else {
                throw APIError.notFound("file")
            }
            return Response(
                status: .ok, headers: [.contentType: asset.contentType, .cacheControl: Self.assetCacheControl],
                body: .init(byteBuffer: asset.body)
            )
        }
    }

    /// The HTML page: Swagger UI's style sheet and script from `/docs/assets` or the CDN, then `init.js`.
    static func renderPage(assets: DocsAssets?) -> String {
        let base = assets == nil ? DocsAssets.cdnBase : assetsPath
        let icon =
            assets == nil || assets?.contents["favicon-32x32.png"] != nil
            ? #"<link rel="icon" type="image/png" href="\#(base)/favicon-32x32.png">"# + "\n" : ""
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>API documentation</title>
            <link rel="stylesheet" href="\(base)/swagger-ui.css">
            \(icon)</head>
            <body>
            <noscript>This page shows the OpenAPI document <a href="/openapi.json">/openapi.json</a> with Swagger UI, which needs JavaScript.</noscript>
            <div id="swagger-ui"></div>
            <script src="\(base)/swagger-ui-bundle.js"></script>
            <script src="\(assetsPath)/init.js"></script>
            </body>
            </html>

            """
    }

    /// The page's Content-Security-Policy; `cdn` also allows the scripts, style sheets and images of
    /// the pinned Swagger UI folder on the CDN (that path only: the CDN serves every npm package).
    static func policy(cdn: Bool) -> String {
        let cdnSource = cdn ? " \(DocsAssets.cdnBase)/" : ""
        return [
            "default-src 'none'",
            "script-src 'self'\(cdnSource)",
            "style-src 'self'\(cdnSource)",
            "img-src 'self' data:\(cdnSource)",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }
}

extension TrellisServer {
    /// The routes that are not the API clients build on, which the OpenAPI document leaves out, as
    /// `METHOD /path` with parameters in braces (`Router.routes`' form): the `/docs` page and its
    /// files, the development mailbox, and the webhooks other services send (``IncomingWebhooks``).
    public static let undocumentedRoutes: Set<String> = [
        "GET /docs", "GET /docs/assets/{file}", "GET /dev/mailbox", "GET /dev/mailbox/{id}", "POST /webhooks/{source}",
    ]
}
