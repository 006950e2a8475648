public import Foundation

/// Where a tenant's members (person + membership) are kept. The tenant comes first in every
/// method: tenancy is never an optional filter.
public protocol MemberRepository: Sendable {
    /// Stores the person, the membership, the password (if any) and the audit record together.
    /// - Throws: ``Conflict`` for an email in use on the server or an agent ID in use in the tenant.
    func create(_ member: Member, password: PasswordHash?, audit: AuditEvent) async throws
    func find(tenant: TenantID, user: UserID) async throws -> Member?
    func find(tenant: TenantID, email: EmailAddress) async throws -> Member?
    func find(tenant: TenantID, agentID: AgentID) async throws -> Member?
    /// The person with this email as a member of their default tenant.
    func findInDefaultTenant(email: EmailAddress) async throws -> Member?
    /// The default tenant of a person whose email has this domain (the first by email), if any.
    func tenantHolding(domain: String) async throws -> TenantID?
    /// Saves changed fields of person and membership with the audit record.
    /// - Throws: ``Conflict`` as for ``create(_:password:audit:)``.
    func update(_ member: Member, audit: AuditEvent, outbox: [OutboxEntry]) async throws
    /// Saves the language a person chose on a page (the language menu, or before sign-in).
    func setLanguage(user: UserID, to language: LanguageTag, at now: Date) async throws
    /// Removes the membership, and the person too when it was their last one.
    /// - Returns: false when there was no such member.
    func delete(tenant: TenantID, user: UserID, audit: AuditEvent) async throws -> Bool
    /// One page of the tenant's members, ordered by email.
    func list(tenant: TenantID, query: MemberQuery) async throws -> MemberPage
    /// Records the person's microphone check (it belongs to the person, so every tenant sees
    /// it) with the audit record.
    /// - Returns: false when the person is not a member of `tenant`.
    func recordMicrophoneCheck(tenant: TenantID, user: UserID, _ check: MicrophoneCheck, audit: AuditEvent) async throws -> Bool
}

/// Which members to list and which page.
public struct MemberQuery: Sendable, Equatable {
    /// Matches email, first or last name (case-insensitive substring) or agent ID (prefix).
    public var search: String?
    /// At most this many members (1–200).
    public var limit: Int
    /// Continue after this email key (the ``MemberPage/nextCursor`` of the previous page).
    public var after: String?

    public static let defaultLimit = 50
    public static let maxLimit = 200

    public init(search: String? = nil, limit: Int = MemberQuery.defaultLimit, after: String? = nil) {
        self.search = search.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        self.limit = min(max(limit, 1), MemberQuery.maxLimit)
        self.after = after
    }
}

/// One page of members, and where the next one starts (nil on the last page).
public struct MemberPage: Sendable {
    public let members: [Member]
    public let nextCursor: String?

    public init(members: [Member], nextCursor: String?) {
        self.members = members
        self.nextCursor = nextCursor
    }
}
