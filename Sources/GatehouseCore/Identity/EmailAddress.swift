import Foundation

/// A person's email address, which is also their username on this server.
///
/// Kept as typed (for display and for mail) with a case-folded ``key`` that uniqueness and
/// sign-in use: `Ana@Acme.test` and `ana@acme.test` are one person.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    /// The form compared for uniqueness and look-up.
    public var key: String { value.lowercased() }

    /// The part after the `@`, case-folded.
    public var domain: String { String(key[key.index(after: key.lastIndex(of: "@")!)...]) }

    /// The part before the `@` (password rules of a later issue forbid it in passwords).
    public var localPart: String { String(value[..<value.lastIndex(of: "@")!]) }

    /// Accepts the addresses people actually have: one `@`, a non-empty local part without
    /// spaces or quotes, a dotted domain of letters, digits and hyphens (or an IDN in its
    /// Unicode form), 254 characters at most (RFC 5321).
    public init(_ text: String) throws(InvalidValue) {
        let email = text.trimmingCharacters(in: .whitespaces)
        let invalid = InvalidValue("must be a valid email address, such as ana@example.com")
        guard !email.isEmpty, email.count <= 254 else { throw invalid }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw invalid }
        let local = parts[0], domain = parts[1]
        guard (1...64).contains(local.count),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains(".."),
              local.unicodeScalars.allSatisfy(Self.isLocalPartScalar)
        else { throw invalid }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2,
              labels.allSatisfy({ label in
                  (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                      && label.unicodeScalars.allSatisfy { Self.isDomainScalar($0) }
              }),
              labels.last!.count >= 2
        else { throw invalid }
        self.value = email
    }

    public var description: String { value }

    private static func isLocalPartScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value > 127 { return scalar.properties.isAlphabetic || scalar.properties.numericType != nil }
        if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) { return true }
        return "!#$%&'*+-/=?^_`{|}~.".unicodeScalars.contains(scalar)
    }

    private static func isDomainScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value > 127 { return scalar.properties.isAlphabetic || scalar.properties.numericType != nil }
        return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }
}
