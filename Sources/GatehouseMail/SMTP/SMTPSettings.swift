/// Where and how to hand mail over: one SMTP server, how the connection is protected, and the
/// credentials to authenticate with.
///
/// Usually built from a URL with ``init(url:trustedCertificatesFile:)``. `description` is the
/// redacted URL, so interpolating settings into a log line never leaks the password.
public struct SMTPSettings: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: Sendable {
        /// `smtp://`: plain TCP, upgraded with STARTTLS whenever the server offers it.
        /// Credentials are sent only after the upgrade; a server that does not offer STARTTLS
        /// gets mail in clear text, but never a password.
        case startTLSWhenOffered
        /// `smtps://`: TLS from the first byte (RFC 8314, usually port 465).
        case implicitTLS
    }

    /// The server's host name or IP address (IPv6 without brackets).
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The user name for AUTH; `nil` sends mail without authenticating.
    public var username: String?
    /// The password for AUTH; set exactly when `username` is.
    public var password: String?
    /// How the connection is protected.
    public var security: Security
    /// A PEM file of CA certificates to trust instead of the system's roots, for servers whose
    /// certificate comes from a private CA. The server's name is checked either way.
    public var trustedCertificatesFile: String?
    /// The name the client gives in EHLO. Default `"localhost"`.
    public var helloName: String
    /// How long to wait for the connection and for each reply (the TLS handshake included).
    /// Default 30.
    public var timeoutSeconds: Int

    public init(
        host: String,
        port: Int,
        username: String? = nil,
        password: String? = nil,
        security: Security,
        trustedCertificatesFile: String? = nil,
        helloName: String = "localhost",
        timeoutSeconds: Int = 30
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.trustedCertificatesFile = trustedCertificatesFile
        self.helloName = helloName
        self.timeoutSeconds = timeoutSeconds
    }

    public var description: String { redactedURL }

    /// `host:port` as it appears in messages (IPv6 in brackets).
    var serverName: String {
        "\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
