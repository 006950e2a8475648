import Foundation

/// A person's preferred language as a BCP 47 tag (`en`, `fr-CA`, `pt-BR`).
/// Only the shape is checked; which languages have catalogs is a later issue's concern.
public struct LanguageTag: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public static let english = try! LanguageTag("en")

    public init(_ text: String) throws(InvalidValue) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter }),
              parts.count <= 3,
              parts.dropFirst().allSatisfy({ (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        else {
            throw InvalidValue("must be a language tag such as en, fr-CA or pt-BR")
        }
        // Canonical case: language lower, two-letter region upper, script title-case.
        var canonical = [primary.lowercased()]
        for part in parts.dropFirst() {
            if part.count == 2 { canonical.append(part.uppercased()) }
            else if part.count == 4 { canonical.append(part.prefix(1).uppercased() + part.dropFirst().lowercased()) }
            else { canonical.append(part.lowercased()) }
        }
        self.value = canonical.joined(separator: "-")
    }

    public var description: String { value }
}
