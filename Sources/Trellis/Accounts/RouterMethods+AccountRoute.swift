import HTTPTypes
import Hummingbird
import TrellisAccountsAPI

extension RouterMethods {
    /// Mounts `handler` at `route`'s method and path (relative to the `/api/v1` group), the same
    /// definition the OpenAPI document is written from.
    @discardableResult
    func on(_ route: AccountRoute, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) -> Self {
        on(RouterPath(route.routerPath), method: route.method.http, use: handler)
    }
}

extension AccountRoute.Method {
    /// The HTTP method.
    var http: HTTPRequest.Method {
        switch self {
        case .get: .get
        case .post: .post
        case .patch: .patch
        case .delete: .delete
        }
    }
}
