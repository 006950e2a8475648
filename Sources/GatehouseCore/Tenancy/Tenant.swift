public import Foundation

/// A customer organisation: its users, policies and data are kept apart from every other's.
public struct Tenant: Sendable, Equatable {
    public let id: TenantID
    public var slug: TenantSlug
    /// The name people see, e.g. "Acme Contact Center".
    public var displayName: String
    public var region: RegionCode
    public var settings: SettingsDocument
    public let createdAt: Date

    public init(id: TenantID = TenantID(), slug: TenantSlug, displayName: String, region: RegionCode,
                settings: SettingsDocument = SettingsDocument(), createdAt: Date) {
        self.id = id
        self.slug = slug
        self.displayName = displayName
        self.region = region
        self.settings = settings
        self.createdAt = createdAt
    }
}

/// A tenant to be created, checked field by field.
public struct TenantDraft: Sendable {
    public let slug: TenantSlug
    public let displayName: String
    public let region: RegionCode

    /// Validates raw input; every bad field is reported together.
    public init(slug: String, displayName: String, region: String?, defaultRegion: RegionCode) throws(FieldErrors) {
        var errors = FieldErrors()
        let slug = errors.collect("slug") { () throws(InvalidValue) in try TenantSlug(slug) }
        let name = errors.collect("name") { () throws(InvalidValue) in try DisplayText(displayName, maxLength: 200).value }
        let region = errors.collect("region") { () throws(InvalidValue) in
            guard let region else { return defaultRegion }
            return try RegionCode(region)
        }
        try errors.throwIfAny()
        self.slug = slug!
        self.displayName = name!
        self.region = region!
    }
}
