/// A tenant's settings with their types and defaults, read from and written to the tenant's
/// ``SettingsDocument``. Sections this build does not know are kept as they are, so an older
/// server sharing a database with a newer one never drops settings it cannot read.
public struct TenantSettings: Sendable, Equatable {
    public var session = SessionPolicy()
    public var password = PasswordPolicy()
    public var lockout = LockoutPolicy()
    private var otherSections: [String: JSONValue] = [:]

    public init() {}

    /// The settings a stored document describes; a document that no longer validates (edited
    /// by hand) falls back to defaults for the bad fields rather than locking everyone out.
    public init(document: SettingsDocument) {
        var ignored = FieldErrors()
        self.init(values: document.values, errors: &ignored)
    }

    private init(values: [String: JSONValue], errors: inout FieldErrors) {
        session = SessionPolicy(values, errors: &errors)
        password = PasswordPolicy(values, errors: &errors)
        lockout = LockoutPolicy(values, errors: &errors)
        otherSections = values.filter { !Self.knownSections.contains($0.key) }
    }

    static let knownSections: Set<String> = [SessionPolicy.key, PasswordPolicy.key, LockoutPolicy.key]

    /// The whole effective document: every known setting with its value or default.
    public var document: SettingsDocument {
        var values = otherSections
        values[SessionPolicy.key] = session.json
        values[PasswordPolicy.key] = password.json
        values[LockoutPolicy.key] = lockout.json
        return SettingsDocument(values)
    }

    /// Merges a PATCH: each given field replaces the current one, sections merge field by field.
    /// Every bad field is reported together, with its dotted name; nothing changes unless all
    /// are good. Unknown sections are refused.
    public func merging(_ patch: [String: JSONValue]) throws(FieldErrors) -> TenantSettings {
        var errors = FieldErrors()
        var merged = document.values
        for (section, value) in patch {
            guard Self.knownSections.contains(section) else {
                errors.add(section, "is not a setting")
                continue
            }
            guard case .object(let fields) = value, case .object(var current)? = merged[section] else {
                errors.add(section, "must be an object")
                continue
            }
            for (key, field) in fields { current[key] = field }
            merged[section] = .object(current)
        }
        let result = TenantSettings(values: merged, errors: &errors)
        try errors.throwIfAny()
        return result
    }
}
