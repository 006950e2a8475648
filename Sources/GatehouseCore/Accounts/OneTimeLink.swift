public import Foundation

/// A link sent by email that works once: an invitation or a password reset. The secret in
/// the link is stored only as its SHA-256; a newer link of the same purpose for the same
/// person replaces the older one.
public struct OneTimeLink: Sendable, Equatable {
    public let id: UUID
    public let purpose: LinkPurpose
    public let tenantID: TenantID
    public let userID: UserID
    public let createdAt: Date
    public let expiresAt: Date
    public var usedAt: Date?
    public var revokedAt: Date?

    public init(id: UUID = UUID(), purpose: LinkPurpose, tenantID: TenantID, userID: UserID, createdAt: Date, expiresAt: Date,
                usedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.purpose = purpose
        self.tenantID = tenantID
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
    }

    public func state(at now: Date) -> LinkState {
        if usedAt != nil { return .used }
        if revokedAt != nil { return .replaced }
        if now >= expiresAt { return .expired }
        return .valid
    }

    /// The secret's prefix, so people and scanners can tell what a leaked value is.
    public static func secretPrefix(_ purpose: LinkPurpose) -> String {
        switch purpose {
        case .invitation: "inv_"
        case .passwordReset: "rst_"
        }
    }
}

public enum LinkPurpose: String, Sendable, CaseIterable {
    case invitation
    case passwordReset = "password_reset"
}

/// Why a link does not work, each with its own page.
public enum LinkState: String, Sendable, Equatable {
    case valid
    case expired
    case used
    /// A newer link was sent; this one no longer works.
    case replaced
    case unknown
}

/// A link that cannot be used, and why.
public struct LinkUnusable: Error, Sendable, Equatable {
    public let purpose: LinkPurpose
    public let state: LinkState
    public init(_ purpose: LinkPurpose, _ state: LinkState) {
        self.purpose = purpose
        self.state = state
    }
}
