/// A tenant's settings with their types and defaults, read from and written to the tenant's
/// ``SettingsDocument``. Sections and fields this build does not know are kept as they are, so
/// an older server sharing a database with a newer one never drops settings it cannot read.
public struct TenantSettings: Sendable, Equatable {
    public var session = SessionPolicy()
    public var password = PasswordPolicy()
    public var lockout = LockoutPolicy()
    public var account = AccountPolicy()
    public var mfa = MFAPolicy()
    public var presence = PresencePolicy()
    public var landing = LandingPolicy()
    /// The stored document as it was, unknown sections and fields included.
    private var stored: [String: JSONValue] = [:]

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
        account = AccountPolicy(values, errors: &errors)
        mfa = MFAPolicy(values, errors: &errors)
        presence = PresencePolicy(values, errors: &errors)
        landing = LandingPolicy(values, errors: &errors)
        stored = values
    }

    /// Each known section and the fields this build knows in it.
    static let knownFields: [String: Set<String>] = [
        SessionPolicy.key: SessionPolicy.fields, PasswordPolicy.key: PasswordPolicy.fields, LockoutPolicy.key: LockoutPolicy.fields,
        LandingPolicy.key: LandingPolicy.fields,
    ]

    /// Settings that are single values at the top level of the document.
    static let topLevelFields: Set<String> = AccountPolicy.fields.union(MFAPolicy.fields).union(PresencePolicy.fields)

    /// The whole effective document: every known setting with its value or default, over
    /// whatever else the stored document holds.
    public var document: SettingsDocument {
        var values = stored
        for (key, section) in [(SessionPolicy.key, session.json), (PasswordPolicy.key, password.json), (LockoutPolicy.key, lockout.json),
                               (LandingPolicy.key, landing.json)] {
            guard case .object(let known) = section else { continue }
            var merged: [String: JSONValue] = [:]
            if case .object(let kept)? = values[key] { merged = kept }
            merged.merge(known) { $1 }
            values[key] = .object(merged)
        }
        values.merge(account.json) { $1 }
        values.merge(mfa.json) { $1 }
        values.merge(presence.json) { $1 }
        return SettingsDocument(values)
    }

    /// Merges a PATCH: each given field replaces the current one, sections merge field by field.
    /// Every bad field is reported together, with its dotted name; nothing changes unless all
    /// are good. Unknown sections are refused.
    public func merging(_ patch: [String: JSONValue]) throws(FieldErrors) -> TenantSettings {
        var errors = FieldErrors()
        var merged = document.values
        for (section, value) in patch {
            if Self.topLevelFields.contains(section) {
                merged[section] = value
                continue
            }
            guard let known = Self.knownFields[section] else {
                errors.add(section, "is not a setting")
                continue
            }
            guard case .object(let fields) = value, case .object(var current)? = merged[section] else {
                errors.add(section, "must be an object")
                continue
            }
            for (key, field) in fields {
                guard known.contains(key) else {
                    errors.add("\(section).\(key)", "is not a setting")
                    continue
                }
                current[key] = field
            }
            merged[section] = .object(current)
        }
        let result = TenantSettings(values: merged, errors: &errors)
        try errors.throwIfAny()
        return result
    }
}
