import Foundation

extension SMTPSettings {
    /// Settings from `smtp://[user:password@]host[:port]` (STARTTLS when offered, port 25 by
    /// default) or `smtps://…` (TLS from the start, port 465 by default).
    ///
    /// The user name and password are percent-decoded, so a password holding `@`, `:` or `/`
    /// must be written `%40`, `%3A`, `%2F`. IPv6 addresses go in brackets: `smtp://[::1]:2525`.
    /// Paths, queries and fragments are refused rather than silently ignored.
    public init(url: String, trustedCertificatesFile: String? = nil) throws(SMTPSettingsError) {
        // A URL read from a file or an environment variable often carries a stray newline.
        let url = url.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let separator = url.range(of: "://") else {
            throw SMTPSettingsError("the SMTP URL must look like smtp://host:port or smtps://user:password@host:port")
        }
        let security: Security
        let defaultPort: Int
        switch url[..<separator.lowerBound].lowercased() {
        case "smtp":
            security = .startTLSWhenOffered
            defaultPort = 25
        case "smtps":
            security = .implicitTLS
            defaultPort = 465
        default:
            throw SMTPSettingsError(
                "the SMTP URL must start with smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start)"
            )
        }

        let remainder = url[separator.upperBound...]
        let authorityEnd = remainder.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? remainder.endIndex
        let trailer = remainder[authorityEnd...]
        guard trailer.isEmpty || trailer == "/" else {
            throw SMTPSettingsError(
                "the SMTP URL must not have a path, query or fragment (a '/', '?' or '#' in the password must be written %2F, %3F, %23)"
            )
        }
        let authority = remainder[..<authorityEnd]

        var username: String?
        var password: String?
        var hostAndPort = authority
        // The last '@' ends the user information, so an unencoded '@' in a password still works.
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            hostAndPort = authority[authority.index(after: at)...]
            guard let colon = userinfo.firstIndex(of: ":") else {
                throw SMTPSettingsError("the SMTP URL has a user name but no password: write smtp://user:password@host")
            }
            username = try Self.percentDecoded(userinfo[..<colon], what: "user name")
            password = try Self.percentDecoded(userinfo[userinfo.index(after: colon)...], what: "password")
            guard username?.isEmpty == false else {
                throw SMTPSettingsError("the SMTP URL has an empty user name")
            }
            guard password?.isEmpty == false else {
                throw SMTPSettingsError("the SMTP URL has an empty password")
            }
        }

        let (host, port) = try Self.hostAndPort(hostAndPort, defaultPort: defaultPort)
        self.init(
            host: host,
            port: port,
            username: username,
            password: password,
            security: security,
            trustedCertificatesFile: trustedCertificatesFile
        )
    }

    /// The URL with the password replaced by `***`, for logs and error messages.
    public var redactedURL: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        var userinfo = ""
        if let username {
            let allowed = CharacterSet.urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@"))
            userinfo = (username.addingPercentEncoding(withAllowedCharacters: allowed) ?? username)
                + (password == nil ? "" : ":***") + "@"
        }
        return "\(scheme)://\(userinfo)\(serverName)"
    }

    private static func percentDecoded(_ text: Substring, what: String) throws(SMTPSettingsError) -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw SMTPSettingsError("the \(what) in the SMTP URL has a '%' that is not followed by two hex digits (write a literal '%' as %25)")
        }
        // NUL separates the fields of AUTH PLAIN: one inside a field would shift them.
        guard !decoded.unicodeScalars.contains("\0") else {
            throw SMTPSettingsError("the \(what) in the SMTP URL contains a NUL character")
        }
        return decoded
    }

    private static func hostAndPort(_ text: Substring, defaultPort: Int) throws(SMTPSettingsError) -> (String, Int) {
        let host: Substring
        let portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw SMTPSettingsError("the SMTP URL has an IPv6 address without its closing ']'")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let afterHost = text[text.index(after: close)...]
            if afterHost.isEmpty {
                portText = nil
            } else if afterHost.hasPrefix(":") {
                portText = afterHost.dropFirst()
            } else {
                throw SMTPSettingsError("the SMTP URL has unexpected text after the IPv6 address")
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw SMTPSettingsError("the SMTP URL has an invalid IPv6 address")
            }
        } else {
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                throw SMTPSettingsError("the SMTP URL's host has more than one ':' (write IPv6 addresses in brackets: smtp://[::1]:25)")
            }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard !host.isEmpty else {
                throw SMTPSettingsError("the SMTP URL has no host")
            }
            let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }
            guard host.allSatisfy(allowed) else {
                throw SMTPSettingsError("the SMTP URL's host may only hold letters, digits, '-', '.' and '_'")
            }
        }

        guard let portText else { return (String(host), defaultPort) }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), (1...65535).contains(port)
        else {
            throw SMTPSettingsError("the SMTP URL's port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }
}
