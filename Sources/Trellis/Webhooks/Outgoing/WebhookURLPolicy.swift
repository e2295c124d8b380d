import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which URLs webhooks may be sent to. Outside development: `https` only, and no host that
/// resolves to a loopback, private, link-local, shared, multicast or reserved address, so an
/// endpoint cannot make the server call into its own network (SSRF). Checked when an endpoint is
/// saved and again before each delivery (the name may resolve elsewhere by then).
public struct WebhookURLPolicy: Sendable, Equatable {
    /// Allows `http` and addresses of private networks: development, and tests with a local
    /// receiver (`WEBHOOK_ALLOW_PRIVATE_URLS`).
    public var allowsPrivateURLs: Bool

    public init(allowsPrivateURLs: Bool = false) {
        self.allowsPrivateURLs = allowsPrivateURLs
    }

    /// Why a URL is refused, in words for the API's answer.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Checks the URL's form, then (unless private URLs are allowed) every address its host resolves to.
    public func check(_ text: String) async throws(Refusal) {
        _ = try await pinnedAddress(for: text)
    }

    /// ``check(_:)``, returning the checked address a delivery must connect to (so that the name
    /// cannot resolve elsewhere between the check and the connection); nil when private URLs are
    /// allowed (the client resolves the name itself).
    func pinnedAddress(for text: String) async throws(Refusal) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw Refusal(description: "must be an absolute URL such as https://example.com/webhooks")
        }
        guard url.user == nil, url.password == nil else { throw Refusal(description: "must not carry a user name or password") }
        guard text.unicodeScalars.count <= 2048 else { throw Refusal(description: "must be at most 2048 characters") }
        if allowsPrivateURLs {
            guard scheme == "https" || scheme == "http" else { throw Refusal(description: "must be an http or https URL") }
            return nil
        }
        guard scheme == "https" else { throw Refusal(description: "must be an https URL") }
        let addresses: [IPAddress]
        do {
            addresses = try await Self.resolve(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        } catch {
            throw Refusal(description: "names a host that does not resolve (\(host))")
        }
        guard let first = addresses.first else { throw Refusal(description: "names a host that does not resolve (\(host))") }
        if let blocked = addresses.first(where: { !$0.isPublic }) {
            throw Refusal(description: "resolves to \(blocked), an address of a private, loopback or reserved network")
        }
        return first.description
    }

    /// The addresses `host` resolves to (getaddrinfo, on NIO's thread pool).
    static func resolve(_ host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &result)
            guard status == 0, let first = result else { throw Refusal(description: "does not resolve") }
            defer { freeaddrinfo(first) }
            var addresses: [IPAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                if let address = entry.pointee.ai_addr {
                    switch Int32(address.pointee.sa_family) {
                    case AF_INET:
                        address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                            let raw = pointer.pointee.sin_addr.s_addr
                            addresses.append(.v4(withUnsafeBytes(of: raw) { Array($0) }))
                        }
                    case AF_INET6:
                        address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                            addresses.append(.v6(withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }))
                        }
                    default: break
                    }
                }
                cursor = entry.pointee.ai_next
            }
            return addresses
        }
    }
}

/// An IPv4 or IPv6 address as its bytes, in network order.
enum IPAddress: Equatable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Whether it is an address of the public internet: not loopback, private (RFC 1918, unique
    /// local), link-local, shared (100.64/10), multicast, unspecified, documentation or reserved.
    var isPublic: Bool {
        switch self {
        case .v4(let b):
            switch (b[0], b[1]) {
            case (0, _), (10, _), (127, _), (169, 254), (192, 168), (198, 18), (198, 19): return false
            case (100, 64...127), (172, 16...31): return false
            case (192, 0) where b[2] == 0 || b[2] == 2: return false
            case (192, 88) where b[2] == 99: return false  // 6to4 relays
            case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return false
            case (224..., _): return false  // multicast, reserved, broadcast
            default: return true
            }
        case .v6(let b):
            if b.allSatisfy({ $0 == 0 }) || (b[0..<15].allSatisfy { $0 == 0 } && b[15] == 1) { return false }  // :: and ::1
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return IPAddress.v4(Array(b[12...])).isPublic }
            if b[0..<12].allSatisfy({ $0 == 0 }) { return false }  // ::/96, IPv4-compatible (deprecated)
            if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b {
                // NAT64: the well-known prefix wraps an IPv4 address; 64:ff9b:1::/48 is for local use.
                return b[4] == 0 && b[5] == 0 && IPAddress.v4(Array(b[12...])).isPublic
            }
            if b[0] == 0x20, b[1] == 0x02 { return IPAddress.v4(Array(b[2..<6])).isPublic }  // 6to4 wraps an IPv4 address
            if b[0] == 0x20, b[1] == 0x01, b[2] == 0x00, b[3] == 0x00 { return false }  // Teredo
            if b[0] == 0x01, b[1] == 0x00, b[2..<8].allSatisfy({ $0 == 0 }) { return false }  // 100::/64, discard-only
            if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return false }  // fec0::/10, site-local (deprecated)
            if b[0] & 0xfe == 0xfc { return false }  // fc00::/7 unique local
            if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return false }  // fe80::/10 link-local
            if b[0] == 0xff { return false }  // multicast
            if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return false }  // documentation
            return true
        }
    }

    var description: String {
        switch self {
        case .v4(let b): return b.map(String.init).joined(separator: ".")
        case .v6(let b):
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
    }
}
