import Foundation

/// A self-signed certificate for `localhost` and `127.0.0.1`, made with the `openssl` command in a
/// temporary folder: the test SMTP server's certificate, and the CA the client is told to trust.
public struct SelfSignedCertificate: Sendable {
    /// The certificate (PEM).
    public let certificate: URL
    /// Its private key (PEM, unencrypted).
    public let key: URL

    /// A new certificate and key in `directory`.
    public static func make(in directory: URL) throws -> SelfSignedCertificate {
        let certificate = directory.appendingPathComponent("cert.pem")
        let key = directory.appendingPathComponent("key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
            "-keyout", key.path, "-out",
            certificate.path, "-subj", "/CN=localhost", "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        let log = directory.appendingPathComponent("openssl.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: certificate.path)
        else {
            throw PeerProcess.SetupError(
                "openssl req failed: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        return SelfSignedCertificate(certificate: certificate, key: key)
    }
}
