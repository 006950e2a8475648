/// How people get into an account: invitation links, temporary passwords and reset links.
/// These settings sit at the top level of the tenant's settings document
/// (`invitation_ttl_seconds`, `temporary_password_format`, …).
public struct AccountPolicy: Sendable, Equatable {
    /// Seconds an invitation link works. Default 86400 (24 hours).
    public var invitationTTLSeconds = 86_400
    /// How temporary passwords are made.
    public var temporaryPasswordFormat = TemporaryPasswordFormat.random
    /// Seconds a temporary password works. Default 259200 (72 hours).
    public var temporaryPasswordTTLSeconds = 259_200
    /// Seconds a password-reset link works. Default 3600 (60 minutes).
    public var resetLinkTTLSeconds = 3600

    public init() {}

    static let fields: Set<String> = ["invitation_ttl_seconds", "temporary_password_format", "temporary_password_ttl_seconds",
                                      "reset_link_ttl_seconds"]

    init(_ document: [String: JSONValue], errors: inout FieldErrors) {
        var reader = SettingsReader(topLevel: document, errors: errors)
        invitationTTLSeconds = reader.int("invitation_ttl_seconds", default: invitationTTLSeconds, in: 1...2_592_000)
        temporaryPasswordFormat = reader.choice("temporary_password_format", default: temporaryPasswordFormat, TemporaryPasswordFormat.self)
        temporaryPasswordTTLSeconds = reader.int("temporary_password_ttl_seconds", default: temporaryPasswordTTLSeconds, in: 1...2_592_000)
        resetLinkTTLSeconds = reader.int("reset_link_ttl_seconds", default: resetLinkTTLSeconds, in: 1...86_400)
        errors = reader.errors
    }

    var json: [String: JSONValue] {
        [
            "invitation_ttl_seconds": .number(Double(invitationTTLSeconds)),
            "temporary_password_format": .string(temporaryPasswordFormat.rawValue),
            "temporary_password_ttl_seconds": .number(Double(temporaryPasswordTTLSeconds)),
            "reset_link_ttl_seconds": .number(Double(resetLinkTTLSeconds)),
        ]
    }
}

/// How a temporary password is made.
public enum TemporaryPasswordFormat: String, Sendable, CaseIterable {
    /// 16 random characters meeting the tenant's password policy.
    case random
    /// Webex CCE's format: first initial upper case, last initial lower case, the phone
    /// number's digits, `!!`. Guessable by anyone who knows the person: the API says so.
    case initialsPhone = "initials_phone"
}
