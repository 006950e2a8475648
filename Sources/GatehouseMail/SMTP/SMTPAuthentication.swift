/// The SASL mechanisms this client can use for AUTH (RFC 4954).
enum SMTPAuthenticationMechanism: String, Sendable {
    /// RFC 4616: one exchange carrying user name and password.
    case plain = "PLAIN"
    /// The older two-prompt exchange, for servers that offer nothing else.
    case login = "LOGIN"

    /// PLAIN when offered (one round trip, standardized), else LOGIN, else none we can use.
    static func preferred(among offered: Set<String>) -> SMTPAuthenticationMechanism? {
        if offered.contains(Self.plain.rawValue) { return .plain }
        if offered.contains(Self.login.rawValue) { return .login }
        return nil
    }

    /// The PLAIN initial response: authorization identity (empty: act as ourselves), user
    /// name and password separated by NUL, base64-encoded.
    static func plainResponse(username: String, password: String) -> String {
        Base64.encode(Array("\0\(username)\0\(password)".utf8))
    }
}
