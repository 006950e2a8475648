public import Foundation

/// Something a tenant's people open after sign-in (the agent desktop, reports, the wallboard),
/// shown on the apps page to the members whose roles it names.
public struct App: Sendable, Equatable {
    public let id: UUID
    public let tenantID: TenantID
    public var name: String
    /// An absolute http(s) URL, or a path on this server.
    public var url: String
    /// An absolute http(s) URL or a path of an image, or nil for the page's own icon.
    public var icon: String?
    /// Who sees it: members holding any of these roles.
    public var roles: Set<Role>
    /// Apps are shown by position, then name.
    public var position: Int
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: UUID = UUID(), tenantID: TenantID, name: String, url: String, icon: String?, roles: Set<Role>, position: Int,
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.url = url
        self.icon = icon
        self.roles = roles
        self.position = position
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A new app from a checked draft.
    public static func new(_ draft: AppDraft, in tenant: TenantID, at now: Date) -> App {
        var icon: String?
        if case .set(let given) = draft.icon { icon = given }
        return App(tenantID: tenant, name: draft.name ?? "", url: draft.url ?? "", icon: icon, roles: draft.roles ?? [],
                   position: draft.position ?? 0, createdAt: now, updatedAt: now)
    }

    /// Applies a checked PATCH: fields the draft leaves out stay as they are.
    public mutating func apply(_ draft: AppDraft, at now: Date) {
        if let name = draft.name { self.name = name }
        if let url = draft.url { self.url = url }
        switch draft.icon {
        case .keep: break
        case .clear: icon = nil
        case .set(let given): icon = given
        }
        if let roles = draft.roles { self.roles = roles }
        if let position = draft.position { self.position = position }
        updatedAt = now
    }

    /// Whether `member`'s roles may open this app.
    public func isVisible(to member: Member) -> Bool {
        member.membership.tenantID == tenantID && !roles.isDisjoint(with: member.membership.roles)
    }

    /// The order apps are shown in: position, then name (case-insensitively), then id.
    public static func displayOrder(_ lhs: App, _ rhs: App) -> Bool {
        if lhs.position != rhs.position { return lhs.position < rhs.position }
        let left = lhs.name.lowercased(), right = rhs.name.lowercased()
        if left != right { return left < right }
        return lhs.id.uuidString < rhs.id.uuidString
    }
}

/// An app as a client sent it (`POST`, or the fields of a `PATCH`), checked. For a `PATCH`
/// the fields left out are nil (`icon`: `.keep`); a new app needs `name`, `url` and `roles`.
public struct AppDraft: Sendable {
    public static let maxNameLength = 60
    public static let maxLinkLength = 2048
    public static let positions = 0...10_000

    public let name: String?
    public let url: String?
    public let icon: FieldUpdate<String>
    public let roles: Set<Role>?
    public let position: Int?

    /// Checks every field and reports all problems together.
    /// - Parameter complete: whether this is a new app (name, url and roles required).
    public init(name: String?, url: String?, icon: FieldUpdate<String>, roles: [String]?, position: Int?,
                complete: Bool) throws(FieldErrors) {
        var errors = FieldErrors()
        func required(_ field: String) { if complete { errors.add(field, "is required") } }
        var checkedName: String?
        if let name {
            checkedName = errors.collect("name") { () throws(InvalidValue) in try DisplayText(name, maxLength: Self.maxNameLength).value }
        } else { required("name") }
        var checkedURL: String?
        if let url {
            checkedURL = errors.collect("url") { () throws(InvalidValue) in try Self.link(url) }
        } else { required("url") }
        var checkedIcon = FieldUpdate<String>.keep
        switch icon {
        case .keep, .clear: checkedIcon = icon
        case .set(let text):
            if text.trimmingCharacters(in: .whitespaces).isEmpty { checkedIcon = .clear }
            else if let value = errors.collect("icon", { () throws(InvalidValue) in try Self.link(text) }) { checkedIcon = .set(value) }
        }
        var checkedRoles: Set<Role>?
        if let roles {
            checkedRoles = errors.collect("roles") { () throws(InvalidValue) in try Role.parseSet(roles) }
        } else { required("roles") }
        if let position, !Self.positions.contains(position) {
            errors.add("position", "must be a whole number from \(Self.positions.lowerBound) to \(Self.positions.upperBound)")
        }
        try errors.throwIfAny()
        self.name = checkedName
        self.url = checkedURL
        self.icon = checkedIcon
        self.roles = checkedRoles
        self.position = position
    }

    /// An absolute http(s) URL without credentials, or a path on this server ("/…" but not
    /// "//…", which browsers read as another host). No spaces, control characters or
    /// backslashes, at most 2048 characters.
    static func link(_ text: String) throws(InvalidValue) -> String {
        let message = "must be an absolute http or https URL, or a path starting with a single /"
        let link = text.trimmingCharacters(in: .whitespaces)
        guard !link.isEmpty, link.utf8.count <= maxLinkLength else {
            throw InvalidValue(link.isEmpty ? "must not be empty" : "must be at most \(maxLinkLength) characters")
        }
        guard !link.contains("\\"), !link.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7f }) else {
            throw InvalidValue(message)
        }
        if link.hasPrefix("/") {
            let lowered = link.lowercased()
            guard !link.hasPrefix("//"), !lowered.hasPrefix("/%2f"), !lowered.hasPrefix("/%5c") else { throw InvalidValue(message) }
            return link
        }
        guard let parsed = URLComponents(string: link), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty, parsed.user == nil, parsed.password == nil else {
            throw InvalidValue(message)
        }
        return link
    }
}

/// Where a tenant's apps are kept. Every write is one transaction with its audit record.
public protocol AppRepository: Sendable {
    func create(_ app: App, audit: AuditEvent) async throws
    /// The tenant's apps in display order (position, then name).
    func list(tenant: TenantID) async throws -> [App]
    func find(tenant: TenantID, id: UUID) async throws -> App?
    /// - Returns: false when there is no such app.
    func update(_ app: App, audit: AuditEvent) async throws -> Bool
    /// - Returns: false when there is no such app.
    func delete(tenant: TenantID, id: UUID, audit: AuditEvent) async throws -> Bool
}
