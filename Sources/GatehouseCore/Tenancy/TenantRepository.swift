/// Where tenants are kept.
public protocol TenantRepository: Sendable {
    /// Stores a new tenant and its audit record together.
    /// - Throws: ``Conflict`` when the slug is taken.
    func create(_ tenant: Tenant, audit: AuditEvent) async throws
    func find(slug: TenantSlug) async throws -> Tenant?
    func find(id: TenantID) async throws -> Tenant?
    /// All tenants, by slug.
    func list() async throws -> [Tenant]
    /// Replaces the tenant's settings document, with its audit record.
    func updateSettings(_ tenant: TenantID, to settings: SettingsDocument, audit: AuditEvent) async throws
    /// Whether any tenant exists yet (first-run set-up is offered only while none does).
    func isEmpty() async throws -> Bool
}
