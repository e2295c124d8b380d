import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import PostgresNIO
import Prometheus

/// The process's metrics: swift-metrics backed by swift-prometheus, served at `/metrics`.
///
/// Hummingbird's `MetricsMiddleware` records, per route template, method and status,
/// `http_server_requests_total` and the `http_server_request_duration_seconds` histogram, and
/// `http_server_active_requests` per method; the API rate limit adds
/// `trellis_rate_limit_rejections_total`, and each scrape reads the pool's connections from
/// PostgreSQL (`trellis_db_connections` by state).
public enum TrellisMetrics {
    /// The registry, bootstrapped into `MetricsSystem` on first use (once per process).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (names[name] ?? sanitized(name), labels.map { (labelNames[$0.0] ?? sanitized($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Hummingbird's metric names, in Prometheus' conventions.
    static let names = [
        "hb.requests": "http_server_requests_total",
        "hb.request.errors": "http_server_request_errors_total",
        "http.server.request.duration": "http_server_request_duration_seconds",
        "http.server.active_requests": "http_server_active_requests",
    ]
    static let labelNames = ["http.route": "route", "http.request.method": "method", "http.response.status_code": "status", "error.type": "status"]

    static func sanitized(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
    }
}

/// `GET /metrics` in the Prometheus text format, for a scraper that sends `Authorization: Bearer
/// <METRICS_TOKEN>`; any other caller gets 401. Mounted only when a token is configured.
struct MetricsRoutes: Sendable {
    let token: String
    let database: Database

    func add(to router: Router<TrellisRequestContext>) {
        let expected = Array("Bearer \(token)".utf8)
        router.get("/metrics") { request, context in
            guard let header = request.headers[.authorization], constantTimeEquals(Array(header.utf8), expected) else {
                throw APIError.unauthorized
            }
            await recordConnections(logger: context.logger)
            var buffer: [UInt8] = []
            TrellisMetrics.registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }

    /// `trellis_db_connections{state}`: this instance's connections as PostgreSQL sees them
    /// (postgres-nio does not publish its pool's counters), read within 2 s or skipped.
    private func recordConnections(logger: Logger) async {
        let counted = await DatabaseAvailability.result(within: .seconds(2)) { [database] in try await Self.connections(database, logger: logger) }
        guard let counted else {
            logger.warning("metrics: the pool's connections could not be read within 2 s")
            return
        }
        for (state, count) in counted {
            Gauge(label: "trellis_db_connections", dimensions: [("state", state.replacingOccurrences(of: " ", with: "_"))]).record(count)
        }
    }

    private static func connections(_ database: Database, logger: Logger) async throws -> [String: Int64] {
        let rows = try await database.client.query(
            """
            SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity
            WHERE application_name = current_setting('application_name') AND pid <> pg_backend_pid() GROUP BY 1
            """,
            logger: logger
        )
        var counts: [String: Int64] = ["active": 0, "idle": 0, "idle in transaction": 0]
        for try await (state, count) in rows.decode((String, Int64).self) { counts[state] = count }
        return counts
    }
}

/// Compares two byte strings in time that depends on their lengths only.
func constantTimeEquals(_ left: [UInt8], _ right: [UInt8]) -> Bool {
    guard left.count == right.count else { return false }
    var difference: UInt8 = 0
    for index in left.indices { difference |= left[index] ^ right[index] }
    return difference == 0
}
