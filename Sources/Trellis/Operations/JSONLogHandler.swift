#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import NIOCore

/// Writes each log event as one JSON object on one line of standard output, for log shippers.
///
/// `{"timestamp":"2026-11-30T09:41:07.123456Z","level":"info","logger":"trellis","message":"request",
/// "request_id":"...","status":200,...}`: the handler's metadata, the metadata provider's (a trace
/// id) and the call's are merged into the object, the call's winning; a metadata value that is a
/// number or a boolean is written as one. Newlines inside a message stay inside its JSON string, so
/// a line is always exactly one event.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: @Sendable (ByteBuffer) -> Void

    /// A handler writing to standard output (or standard error).
    public init(
        label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil, stream: LogOptions.Stream = .standardOutput
    ) {
        let descriptor = stream == .standardOutput ? STDOUT_FILENO : STDERR_FILENO
        self.init(label: label, level: level, metadataProvider: metadataProvider) { line in
            line.withUnsafeReadableBytes { writeFully(descriptor, $0) }
        }
    }

    /// A handler giving each line (newline included) to `output`; tests read what it writes.
    public init(
        label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil,
        output: @escaping @Sendable (ByteBuffer) -> Void
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }

        var line = ByteBufferAllocator().buffer(capacity: 256)
        line.writeStaticString(#"{"timestamp":"#)
        line.writeJSONString(Timestamp.now().rfc3339)
        line.writeStaticString(#","level":"#)
        line.writeJSONString(event.level.rawValue)
        line.writeStaticString(#","logger":"#)
        line.writeJSONString(label)
        line.writeStaticString(#","message":"#)
        line.writeJSONString(event.message.description)
        if event.error != nil { merged["error"] = nil }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !Self.reserved.contains(key) {
            line.writeInteger(UInt8(ascii: ","))
            line.writeJSONString(key)
            line.writeInteger(UInt8(ascii: ":"))
            Self.write(value, into: &line)
        }
        if let error = event.error {
            line.writeStaticString(#","error":"#)
            line.writeJSONString(String(describing: error))
        }
        line.writeStaticString("}\n")
        output(line)
    }

    /// Keys the handler writes itself; metadata of the same name is dropped rather than written twice.
    private static let reserved: Set<String> = ["timestamp", "level", "logger", "message"]

    private static func write(_ value: Logger.Metadata.Value, into buffer: inout ByteBuffer) {
        switch value {
        case .string(let string):
            buffer.writeJSONString(string)
        case .stringConvertible(let convertible):
            switch convertible {
            case let integer as any BinaryInteger: buffer.writeString(String(describing: integer))
            case let number as Double where number.isFinite: buffer.writeString(String(describing: number))
            case let flag as Bool: buffer.writeStaticString(flag ? "true" : "false")
            default: buffer.writeJSONString(convertible.description)
            }
        case .dictionary(let dictionary):
            buffer.writeInteger(UInt8(ascii: "{"))
            for (index, (key, value)) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.writeJSONString(key)
                buffer.writeInteger(UInt8(ascii: ":"))
                write(value, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        case .array(let array):
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, value) in array.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                write(value, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        }
    }
}

/// One `write(2)` per line: a pipe takes a write of up to 4 KiB whole, so lines from several
/// threads do not interleave.
private func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard var base = bytes.baseAddress else { return }
    var left = bytes.count
    while left > 0 {
        let written = write(descriptor, base, left)
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        base += written
        left -= written
    }
}
