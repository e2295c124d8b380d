import Trellis

/// The app a test target's generated spec tests run against: the one hand-written file of that
/// target declares it, under the name `AppUnderTest`.
///
/// ```swift
/// import App
/// import AppAPI
/// import TrellisTesting
///
/// enum AppUnderTest: SpecTestApp {
///     static func api() -> GeneratedAPI { App.api() }
/// }
/// ```
///
/// The tests then run over the router the server builds from this API, hooks included, against a
/// PostgreSQL database of their own.
public protocol SpecTestApp {
    associatedtype API: TrellisAPI
    /// The app's API with its hand-written hooks, as its server mounts it.
    static func api() -> API
    /// The server's options; the default is `ServerOptions()` without the API rate limit
    /// (``ServerOptions/unlimited``).
    static var serverOptions: ServerOptions { get }
}

extension SpecTestApp {
    public static var serverOptions: ServerOptions { .unlimited }
}

/// A test could not be set up (no database, a contract that names an unknown resource); the
/// message says what to do.
public struct SpecSetupError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
