/// Where a member lands after sign-in when nothing else was asked for.
public enum Landing: Sendable, Equatable {
    /// The page of the apps the member may open (``AppCatalog/apps(visibleTo:)``).
    case apps
    /// The administration console.
    case console
    /// Straight into one app.
    case app(App)
}

/// What a signed-in member is offered: the tenant's apps their roles may open, and where they
/// land after sign-in (the tenant setting `landing`).
public struct AppCatalog: Sendable {
    let apps: any AppRepository

    public init(apps: any AppRepository) {
        self.apps = apps
    }

    /// The apps of the member's tenant whose roles meet the member's, in display order.
    public func apps(visibleTo member: Member) async throws -> [App] {
        try await apps.list(tenant: member.membership.tenantID).filter { $0.isVisible(to: member) }
    }

    /// Where `member` lands: the choice of their highest role (administrator > manager >
    /// supervisor > agent). An app that no longer exists, or that the member's roles may not
    /// open, falls back to the apps page.
    public func landing(for member: Member, in tenant: Tenant) async throws -> Landing {
        switch TenantSettings(document: tenant.settings).landing.destination(for: member.membership.roles) {
        case .apps: return .apps
        case .console: return .console
        case .app(let id):
            guard let app = try await apps.find(tenant: tenant.id, id: id), app.isVisible(to: member) else { return .apps }
            return .app(app)
        }
    }
}
