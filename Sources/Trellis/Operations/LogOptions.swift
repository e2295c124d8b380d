import Logging

/// How the process logs: `LOG_FORMAT` (`json`, the default: one object per line; `text` for a
/// terminal) and `LOG_LEVEL` (`info` by default).
public struct LogOptions: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case json
        case text
    }

    public var format: Format
    public var level: Logger.Level

    public init(format: Format = .json, level: Logger.Level = .info) {
        self.format = format
        self.level = level
    }

    /// Where log lines go: standard output for a server (its output is its log), standard error for
    /// a command whose standard output is its result (`Server migrate status`).
    public enum Stream: Sendable {
        case standardOutput
        case standardError
    }

    /// Makes every `Logger` of the process log this way, to `stream`. Call once, first thing in `main`.
    public func bootstrap(to stream: Stream = .standardOutput, metadataProvider: Logger.MetadataProvider? = nil) {
        let format = format
        let level = level
        LoggingSystem.bootstrap(
            { label, provider in
                switch format {
                case .json:
                    return JSONLogHandler(label: label, level: level, metadataProvider: provider, stream: stream)
                case .text:
                    var handler =
                        stream == .standardOutput
                        ? StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
                        : StreamLogHandler.standardError(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }
            },
            metadataProvider: metadataProvider
        )
    }
}

extension EnvironmentConfiguration {
    /// `LOG_FORMAT` and `LOG_LEVEL`.
    public func logOptions() throws(ConfigurationError) -> LogOptions {
        var options = LogOptions()
        if let text = value("LOG_FORMAT") {
            guard let format = LogOptions.Format(rawValue: text) else {
                throw ConfigurationError(variable: "LOG_FORMAT", problem: "must be json or text, got '\(text)'")
            }
            options.format = format
        }
        if let text = value("LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(variable: "LOG_LEVEL", problem: "must be one of \(levels), got '\(text)'")
            }
            options.level = level
        }
        return options
    }
}
