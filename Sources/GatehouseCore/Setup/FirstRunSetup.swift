import Foundation

/// First start with no tenant: a one-time link lets a person create the first tenant and its
/// administrator in the browser. The link works until used; each start with no tenant
/// prints a fresh one and the older ones stop working.
public struct FirstRunSetup<Tenants: TenantRepository, Setup: SetupRepository>: Sendable {
    let tenants: Tenants
    let setup: Setup
    let clock: any WallClock
    let random: any RandomSource

    public init(tenants: Tenants, setup: Setup, clock: any WallClock, random: any RandomSource) {
        self.tenants = tenants
        self.setup = setup
        self.clock = clock
        self.random = random
    }

    /// A new link's secret when no tenant exists yet, otherwise nil.
    public func issueLinkIfNeeded() async throws -> String? {
        guard try await tenants.isEmpty() else { return nil }
        let secret = SecretToken(prefix: "", random: random)
        let audit = AuditEvent(at: clock.now(), tenant: nil, actor: .system, action: .setupLinkIssue, outcome: .success)
        try await setup.replaceLink(secretDigest: secret.digest, audit: audit)
        return secret.plaintext
    }

    /// Whether `secret` is a link that can still be used.
    public func isUsable(_ secret: String) async throws -> Bool {
        guard !secret.isEmpty, secret.utf8.count <= 200 else { return false }
        return try await setup.isUsable(secretDigest: SecretToken(presented: secret).digest)
    }

    /// What the set-up form asks for.
    public struct Form: Sendable {
        public var tenantSlug: String
        public var tenantName: String
        public var region: String?
        public var email: String
        public var firstName: String
        public var lastName: String
        public var password: String

        public init(tenantSlug: String, tenantName: String, region: String?, email: String, firstName: String,
                    lastName: String, password: String) {
            self.tenantSlug = tenantSlug
            self.tenantName = tenantName
            self.region = region
            self.email = email
            self.firstName = firstName
            self.lastName = lastName
            self.password = password
        }
    }

    /// Checks the form; every bad field is reported together.
    public func validate(_ form: Form, defaultRegion: RegionCode) throws(FieldErrors) -> (TenantDraft, MemberDraft) {
        var errors = FieldErrors()
        var tenant: TenantDraft?
        do { tenant = try TenantDraft(slug: form.tenantSlug, displayName: form.tenantName, region: form.region, defaultRegion: defaultRegion) }
        catch { for (field, message) in error.messages { errors.add(field == "name" ? "tenant_name" : field == "slug" ? "tenant_slug" : field, message) } }
        var admin: MemberDraft?
        do {
            admin = try MemberDraft(NewMemberInput(email: form.email, firstName: form.firstName, lastName: form.lastName,
                                                   roles: [Role.administrator.rawValue]))
        } catch { for (field, message) in error.messages { errors.add(field, message) } }
        // The new tenant starts with the default policy, so its first password meets it too.
        let violations = PasswordPolicy().violations(of: form.password, for: .init(firstName: form.firstName, lastName: form.lastName,
                                                                                 username: form.email))
        if !violations.isEmpty { errors.add("password", violations.map(\.message).joined(separator: " ")) }
        try errors.throwIfAny()
        return (tenant!, admin!)
    }

    /// Spends the link, creating the tenant and its administrator.
    /// - Returns: the new tenant and administrator, or nil when the link is no longer usable.
    public func complete(secret: String, tenant draft: TenantDraft, administrator adminDraft: MemberDraft,
                         password: PasswordHash, clientIP: String?) async throws -> (Tenant, Member)? {
        let now = clock.now()
        let tenant = Tenant(slug: draft.slug, displayName: draft.displayName, region: draft.region, createdAt: now)
        let admin = Member.new(adminDraft, in: tenant.id, at: now)
        let events = [
            AuditEvent(at: now, tenant: tenant.id, actor: .setupLink, action: .setupComplete, target: .tenant(tenant.id),
                       outcome: .success, clientIP: clientIP, detail: ["slug": tenant.slug.rawValue]),
            AuditEvent(at: now, tenant: tenant.id, actor: .setupLink, action: .userCreate, target: .user(admin.user.id),
                       outcome: .success, clientIP: clientIP, detail: ["email": admin.user.email.value, "roles": "administrator"]),
        ]
        guard try await setup.complete(secretDigest: SecretToken(presented: secret).digest, tenant: tenant,
                                       administrator: admin, password: password, audit: events)
        else { return nil }
        return (tenant, admin)
    }
}
