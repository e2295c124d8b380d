import Logging
import OTel
import ServiceLifecycle
import Synchronization
import Tracing

/// Distributed tracing: a span per request (Hummingbird's `TracingMiddleware`, which accepts a W3C
/// `traceparent` and continues its trace) and per database statement the engine runs, exported by
/// swift-otel over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; off otherwise, and then nothing
/// is recorded (the statement wrappers check one flag).
///
/// swift-otel reads the rest of its standard variables itself: `OTEL_EXPORTER_OTLP_PROTOCOL`
/// (`http/protobuf` by default, or `http/json`; gRPC is not built in), `OTEL_SERVICE_NAME`,
/// `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, ... Log lines carry the current `trace_id` and
/// `span_id` (``LogOptions/bootstrap(metadataProvider:)`` with ``loggingMetadataProvider``).
public enum TrellisTracing {
    private static let enabled = Atomic<Bool>(false)

    /// Whether spans are recorded.
    public static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Adds the current trace and span ids to every log line written inside a span.
    public static var loggingMetadataProvider: Logger.MetadataProvider { OTel.makeLoggingMetadataProvider() }

    /// Bootstraps the OTLP exporter as the process's tracer when `OTEL_EXPORTER_OTLP_ENDPOINT` is set,
    /// and returns the service that exports the spans (run it with the server, which stops it last);
    /// nil, and no tracer, otherwise. Call once per process.
    public static func bootstrap(environment: EnvironmentConfiguration) throws -> (any Service)? {
        guard environment.value("OTEL_EXPORTER_OTLP_ENDPOINT") != nil else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = environment.value("OTEL_SERVICE_NAME") ?? "trellis"
        configuration.metrics.enabled = false  // Prometheus at /metrics
        configuration.logs.enabled = false  // JSON lines on standard output
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        enabled.store(true, ordering: .relaxed)
        return backend.service
    }

    /// Runs `body` in a client span named `name` when tracing is on; `query` is the statement's text
    /// (with placeholders, never values).
    static func databaseSpan<Result>(
        _ name: @autoclosure () -> String, query: @autoclosure () -> String? = nil, isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async throws -> Result {
        guard isEnabled else { return try await body() }
        let query = query()
        return try await withSpan(name(), ofKind: .client, isolation: isolation) { span in
            span.attributes["db.system.name"] = "postgresql"
            if let query { span.attributes["db.query.text"] = query }
            return try await body()
        }
    }
}
