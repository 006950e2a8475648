/// The rules a new password must meet (tenant setting `password_policy`). Defaults are the
/// Webex CCE portal's.
public struct PasswordPolicy: Sendable, Equatable {
    /// Minimum length in characters. Default 8.
    public var minLength = 8
    /// How many of the four classes (upper, lower, digit, special) must appear. Default 3.
    public var requiredClasses = 3
    /// Characters a password may not contain. Default `#$*/@`.
    public var forbiddenCharacters = "#$*/@"
    /// How many recent passwords (the current one included) may not be reused. Default 5.
    public var history = 5
    /// Whether the person's first name, last name and username are refused inside it. Default true.
    public var disallowNames = true

    /// The longest password accepted, in UTF-8 bytes: enough for any passphrase, small enough
    /// that hashing it cannot be abused.
    public static let maximumBytes = 1024
    /// Name parts shorter than this are not searched for: refusing every password containing
    /// "al" or "li" would refuse half of all passwords without adding safety.
    static let shortestNamePart = 3

    public init() {}

    static let key = "password_policy"
    static let fields: Set<String> = ["min_length", "required_classes", "forbidden_characters", "history", "disallow_names"]

    init(_ document: [String: JSONValue], errors: inout FieldErrors) {
        var reader = SettingsReader(section: Self.key, document: document, errors: errors)
        minLength = reader.int("min_length", default: minLength, in: 8...128)
        requiredClasses = reader.int("required_classes", default: requiredClasses, in: 0...4)
        forbiddenCharacters = reader.string("forbidden_characters", default: forbiddenCharacters, maxLength: 64)
        history = reader.int("history", default: history, in: 0...24)
        disallowNames = reader.bool("disallow_names", default: disallowNames)
        errors = reader.errors
    }

    var json: JSONValue {
        .object([
            "min_length": .number(Double(minLength)),
            "required_classes": .number(Double(requiredClasses)),
            "forbidden_characters": .string(forbiddenCharacters),
            "history": .number(Double(history)),
            "disallow_names": .bool(disallowNames),
        ])
    }

    /// Who the password is for: the names it may not contain.
    public struct Person: Sendable {
        public let firstName: String
        public let lastName: String
        /// The username; for an email, its local part is what is searched for.
        public let username: String

        public init(firstName: String, lastName: String, username: String) {
            self.firstName = firstName
            self.lastName = lastName
            self.username = username
        }

        public init(_ user: User) {
            self.init(firstName: user.firstName, lastName: user.lastName, username: user.email.value)
        }
    }

    /// Every rule the password breaks except history (which needs the stored hashes; see
    /// ``PasswordChange``), in a stable order.
    public func violations(of password: String, for person: Person) -> [PasswordViolation] {
        var found: [PasswordViolation] = []
        if password.count < minLength { found.append(.tooShort(minLength)) }
        if password.utf8.count > Self.maximumBytes { found.append(.tooLong(Self.maximumBytes)) }
        if disallowNames {
            let lowered = password.lowercased()
            let username = person.username.split(separator: "@").first.map(String.init) ?? person.username
            for (name, violation) in [(person.firstName, PasswordViolation.containsFirstName),
                                      (person.lastName, .containsLastName), (username, .containsUsername)] {
                if Self.contains(lowered, name: name) { found.append(violation) }
            }
        }
        let classes = Self.characterClasses(in: password)
        if classes < requiredClasses { found.append(.tooFewCharacterClasses(required: requiredClasses)) }
        let forbidden = Set(forbiddenCharacters)
        let used = String(Set(password.filter { forbidden.contains($0) }).sorted())
        if !used.isEmpty { found.append(.forbiddenCharacters(used)) }
        return found
    }

    private static func contains(_ lowered: String, name: String) -> Bool {
        let name = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard name.count >= shortestNamePart else { return false }
        if lowered.contains(name) { return true }
        // "Mary Ann" or "García-López": each part counts as a name too.
        let parts = name.split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count >= shortestNamePart }
        return parts.count > 1 && parts.contains { lowered.contains($0) }
    }

    /// How many of upper case, lower case, digit and other appear.
    static func characterClasses(in password: String) -> Int {
        var upper = false, lower = false, digit = false, special = false
        for character in password {
            if character.isUppercase { upper = true }
            else if character.isLetter { lower = true }
            else if character.isNumber { digit = true }
            else { special = true }
        }
        return [upper, lower, digit, special].filter { $0 }.count
    }
}

/// One broken password rule, with a stable code for clients and a sentence for people.
public struct PasswordViolation: Sendable, Equatable, Hashable {
    public let code: String
    public let message: String
    /// The rule's figure or characters (8, 3, "#$"), for pages that say it in another language.
    public var argument: String = ""

    public static func tooShort(_ length: Int) -> Self { Self(code: "too_short", message: "Use at least \(length) characters.", argument: "\(length)") }
    public static func tooLong(_ bytes: Int) -> Self { Self(code: "too_long", message: "Use at most \(bytes) bytes.", argument: "\(bytes)") }
    public static let containsFirstName = Self(code: "contains_first_name", message: "Do not use your first name.")
    public static let containsLastName = Self(code: "contains_last_name", message: "Do not use your last name.")
    public static let containsUsername = Self(code: "contains_username", message: "Do not use your username.")
    public static func tooFewCharacterClasses(required: Int) -> Self {
        Self(code: "too_few_character_classes",
             message: "Use at least \(required) of: upper-case letters, lower-case letters, digits, special characters.", argument: "\(required)")
    }
    public static func forbiddenCharacters(_ used: String) -> Self {
        Self(code: "forbidden_characters", message: "Do not use these characters: \(used.map(String.init).joined(separator: " ")).",
             argument: used.map(String.init).joined(separator: " "))
    }
    public static func reused(_ history: Int) -> Self {
        Self(code: "reused", message: "Do not reuse any of your last \(history) passwords.", argument: "\(history)")
    }
}

/// A password refused by the policy, with every rule it breaks.
public struct PasswordPolicyViolation: Error, Sendable, Equatable {
    public let violations: [PasswordViolation]
    public init(_ violations: [PasswordViolation]) { self.violations = violations }
}

import Foundation
