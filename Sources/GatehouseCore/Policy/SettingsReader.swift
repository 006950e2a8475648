/// Reads one section of a tenant's settings document field by field, applying defaults for
/// absent fields and recording a message for every bad one under its dotted name
/// (`session_policy.idle_timeout_seconds`), so a PATCH can name each mistake.
struct SettingsReader {
    let section: String
    let values: [String: JSONValue]
    var errors: FieldErrors

    init(section: String, document: [String: JSONValue], errors: FieldErrors) {
        self.section = section
        self.errors = errors
        if case .object(let object)? = document[section] {
            self.values = object
        } else {
            self.values = [:]
            if let value = document[section], value != .null { self.errors.add(section, "must be an object") }
        }
    }

    /// Reads fields at the top level of the document (sections are objects; these are not).
    init(topLevel document: [String: JSONValue], errors: FieldErrors) {
        self.section = ""
        self.values = document
        self.errors = errors
    }

    private func name(_ key: String) -> String { section.isEmpty ? key : "\(section).\(key)" }

    mutating func int(_ key: String, default value: Int, in range: ClosedRange<Int>) -> Int {
        guard let raw = values[key], raw != .null else { return value }
        guard case .number(let number) = raw, number == number.rounded(), range.contains(Int(exactly: number) ?? Int.min) else {
            errors.add(name(key), "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return value
        }
        return Int(number)
    }

    /// A whole number or `null` (no limit); absent gives the default.
    mutating func optionalInt(_ key: String, default value: Int?, in range: ClosedRange<Int>) -> Int? {
        guard let raw = values[key] else { return value }
        if raw == .null { return nil }
        return int(key, default: value ?? range.lowerBound, in: range)
    }

    mutating func bool(_ key: String, default value: Bool) -> Bool {
        guard let raw = values[key], raw != .null else { return value }
        guard case .bool(let flag) = raw else {
            errors.add(name(key), "must be true or false")
            return value
        }
        return flag
    }

    mutating func string(_ key: String, default value: String, maxLength: Int) -> String {
        guard let raw = values[key], raw != .null else { return value }
        guard case .string(let text) = raw, text.count <= maxLength else {
            errors.add(name(key), "must be a string of at most \(maxLength) characters")
            return value
        }
        return text
    }

    mutating func choice<T: RawRepresentable>(_ key: String, default value: T, _ type: T.Type) -> T where T.RawValue == String, T: CaseIterable {
        guard let raw = values[key], raw != .null else { return value }
        guard case .string(let text) = raw, let parsed = T(rawValue: text) else {
            errors.add(name(key), "must be one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            return value
        }
        return parsed
    }
}

extension SettingsReader {
    /// A list of role names (matched case-insensitively, as everywhere else); `null` or absent
    /// gives the default, `[]` is a value of its own.
    mutating func roles(_ key: String, default value: Set<Role>) -> Set<Role> {
        guard let raw = values[key], raw != .null else { return value }
        let message = "must be an array of roles: " + Role.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .array(let items) = raw else {
            errors.add(name(key), message)
            return value
        }
        var roles = Set<Role>()
        for item in items {
            guard case .string(let text) = item, let role = try? Role.parseSet([text]).first else {
                errors.add(name(key), message)
                return value
            }
            roles.insert(role)
        }
        return roles
    }

    /// A string that `parse` accepts; absent or `null` gives the default.
    mutating func parsed<T>(_ key: String, default value: T, message: String, _ parse: (String) -> T?) -> T {
        guard let raw = values[key], raw != .null else { return value }
        guard case .string(let text) = raw, let parsed = parse(text) else {
            errors.add(name(key), message)
            return value
        }
        return parsed
    }
}
