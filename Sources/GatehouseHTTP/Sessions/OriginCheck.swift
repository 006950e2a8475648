import Foundation
import Hummingbird

/// Refuses state-changing requests that a page on another site made a browser send.
///
/// Cookies ride along with cross-site requests, so every unsafe request authenticated by the
/// session cookie (and every sign-in, against login CSRF) must not carry a foreign `Origin`.
/// With a configured public URL the origin must match it exactly, scheme included; without
/// one, its host and port must match the request's.
struct OriginCheck: Sendable {
    /// `scheme://host[:port]` of `--base-url`, lower-cased.
    let expected: String?

    init(baseURL: String?) {
        expected = baseURL.flatMap(Self.origin(of:))
    }

    func allows(_ request: Request) -> Bool {
        guard ![.get, .head, .options].contains(request.method), let origin = request.headers[.origin] else { return true }
        guard let presented = Self.origin(of: origin) else { return false }   // includes the opaque "null"
        if let expected { return presented == expected }
        guard let authority = request.head.authority?.lowercased() else { return false }
        return presented.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) == authority
    }

    /// Throws `403 cross_origin` when ``allows(_:)`` is false.
    func require(_ request: Request) throws {
        guard allows(request) else { throw APIError.crossOrigin }
    }

    /// `scheme://host[:port]`, lower-cased, or nil when `text` is not an http(s) origin.
    static func origin(of text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host?.lowercased() else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = url.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }
}
