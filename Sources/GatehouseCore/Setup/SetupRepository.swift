/// Keeps the one-time links that let the first person create the first tenant.
public protocol SetupRepository: Sendable {
    /// Replaces any unused link with a new one (only the newest printed link works).
    func replaceLink(secretDigest: String, audit: AuditEvent) async throws
    /// Spends the link and creates the tenant, its administrator and their audit records in
    /// one transaction.
    /// - Returns: false when the link is unknown or spent, or a tenant already exists;
    ///   nothing is written then.
    func complete(secretDigest: String, tenant: Tenant, administrator: Member, password: PasswordHash,
                  audit: [AuditEvent]) async throws -> Bool
    /// Whether the link exists and is unspent.
    func isUsable(secretDigest: String) async throws -> Bool
}
