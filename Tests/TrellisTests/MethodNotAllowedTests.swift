import Hummingbird
import HummingbirdTesting
import Testing

@testable import Trellis

/// 405 with `Allow` for a path served with other methods; 404 for a path nobody serves.
@Suite struct MethodNotAllowedTests {
    private static func makeRouter() -> Router<TrellisRequestContext> {
        let router = Router(context: TrellisRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.get("/health") { _, _ in "ok" }
        let items = router.group("/api/items")
        items.get { _, _ in "list" }
        items.post { _, _ in "create" }
        items.get(":id") { _, _ in "read" }
        items.patch(":id") { _, _ in "update" }
        items.delete(":id") { _, _ in "delete" }
        items.post(":id/restore") { _, _ in "restore" }
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }

    @Test func listsTheMethodsOfTheRoutesThatMatchThePath() {
        let middleware = MethodNotAllowedMiddleware(routes: Self.makeRouter().routes)
        #expect(middleware.methods(serving: "/health") == [.get])
        #expect(middleware.methods(serving: "/health/") == [.get])
        #expect(middleware.methods(serving: "/api/items") == [.get, .post])
        #expect(middleware.methods(serving: "/api/items/42") == [.delete, .get, .patch])
        #expect(middleware.methods(serving: "/api/items/42/restore") == [.post])
        #expect(middleware.methods(serving: "/api/items/42/other").isEmpty)
        #expect(middleware.methods(serving: "/api").isEmpty)
        #expect(middleware.methods(serving: "/").isEmpty)
    }

    @Test(arguments: [
        ("/health", HTTPRequest.Method.post, "GET"),
        ("/api/items", .put, "GET, POST"),
        ("/api/items/42", .post, "DELETE, GET, PATCH"),
        ("/api/items/42/restore", .get, "POST"),
        ("/api/items/42/restore", .head, "POST"),
    ])
    func answers405WithAllow(path: String, method: HTTPRequest.Method, allow: String) async throws {
        try await Application(router: Self.makeRouter()).test(.router) { client in
            let response = try await client.executeRequest(uri: path, method: method, headers: [:], body: nil)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == allow)
            guard method != .head else { return }
            let error = try response.error
            #expect(error["code"] as? String == "method_not_allowed")
            #expect(error["message"] as? String == "This path does not serve \(method.rawValue); it serves \(allow).")
        }
    }

    @Test func pathsNoRouteServesStay404AndServedOnesAnswer() async throws {
        try await Application(router: Self.makeRouter()).test(.router) { client in
            for path in ["/nowhere", "/api/items/42/other", "/api"] {
                let response = try await client.executeRequest(uri: path, method: .get, headers: [:], body: nil)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.headers[.allow] == nil)
            }
            #expect(try await client.executeRequest(uri: "/api/items/42", method: .patch, headers: [:], body: nil).status == .ok)
        }
    }
}
