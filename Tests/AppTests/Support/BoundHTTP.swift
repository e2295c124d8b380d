import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request over a socket bound to a source address the test picks (any `127.x.y.z`
/// is this machine on Linux's loopback), so that a proxy in front of the server sees a client
/// address of the test's own, for per-IP limits. URLSession cannot choose its source address.
enum BoundHTTP {
    struct Reply: Sendable {
        var status: Int
        /// By lowercased name.
        var headers: [String: String]
        var body: String
    }

    /// Sends `GET path` to `127.0.0.1:port` from `source` (`Connection: close`) and reads the
    /// answer to its end, on a thread outside Swift's cooperative pool (the socket calls block).
    static func get(_ path: String, port: Int, from source: String) async throws -> Reply {
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try exchange(request, port: port, source: source) })
            }
        }
    }

    private static func exchange(_ request: String, port: Int, source: String) throws -> Reply {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard withAddress(source, port: 0, { bind(descriptor, $0, $1) }) == 0 else {
            throw TestSetupError("cannot bind a socket to \(source): errno \(errno)")
        }
        guard withAddress("127.0.0.1", port: port, { connect(descriptor, $0, $1) }) == 0 else {
            throw TestSetupError("cannot connect to 127.0.0.1:\(port) from \(source): errno \(errno)")
        }
        var unsent = Array(request.utf8)[...]
        while !unsent.isEmpty {
            let sent = unsent.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestSetupError("send() to 127.0.0.1:\(port) failed: errno \(errno)") }
            unsent = unsent.dropFirst(sent)
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw TestSetupError("recv() from 127.0.0.1:\(port) failed: errno \(errno)") }
            answer.append(contentsOf: buffer[..<count])
        }
        return try parse(answer)
    }

    /// Calls `body` with `host:port` as a `sockaddr` and its length.
    private static func withAddress(_ host: String, port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// The status line, the headers and the rest as the body (chunked framing, if any, left in it).
    static func parse(_ bytes: [UInt8]) throws -> Reply {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { throw TestSetupError("not an HTTP answer: \(text.prefix(300))") }
        let head = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let statusLine = head.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestSetupError("no status line: \(text.prefix(300))") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: headers, body: String(text[end.upperBound...]))
    }
}
