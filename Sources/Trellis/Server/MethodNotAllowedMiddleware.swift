import HTTPTypes
import Hummingbird

/// Answers 405 with `Allow` when the path is served, but not with the request's method.
///
/// Hummingbird's router sends such a request to its not-found responder, like a path it does not
/// serve at all. Added to the router after every route, this middleware wraps only that responder
/// (a route's middleware chain is fixed when the route is added), so it runs for unmatched
/// requests alone: it matches the path against the route table segment by segment, as the router
/// does, and leaves the 404 to paths that no route serves.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = TrellisRequestContext

    /// Each route path and the methods it serves.
    private let table: [(path: RouterPath, methods: [HTTPRequest.Method])]

    /// A middleware for `routes` (`Router.routes`, once every route is added).
    init(routes: [Router<Context>.RouteDescription]) {
        var table: [(path: RouterPath, methods: [HTTPRequest.Method])] = []
        for route in routes {
            if let index = table.firstIndex(where: { $0.path == route.path }) {
                table[index].methods.append(route.method)
            } else {
                table.append((route.path, [route.method]))
            }
        }
        self.table = table
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let allowed = methods(serving: request.uri.path)
        guard !allowed.isEmpty else { return try await next(request, context) }
        throw APIError.methodNotAllowed(request.method, allowed: allowed)
    }

    /// The methods of the routes whose path matches `path`, sorted; empty when none does.
    func methods(serving path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")  // the router too ignores empty segments
        var methods = Set<HTTPRequest.Method>()
        for route in table where route.path.count == segments.count {
            if zip(route.path, segments).allSatisfy({ element, segment in element ~= segment }) {
                methods.formUnion(route.methods)
            }
        }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }
}
