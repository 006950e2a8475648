import Foundation

/// A phone number, kept as its digits with an optional leading `+`.
/// People type `(512) 555-1212` or `+1 512 555 1212`; spaces, dots, dashes and brackets are
/// dropped. 4 to 15 digits (E.164's maximum).
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    /// The digits alone (a later issue builds temporary passwords from them).
    public var digits: String { value.filter(\.isNumber) }

    public init(_ text: String) throws(InvalidValue) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var normalized = ""
        for (index, character) in trimmed.enumerated() {
            if character.isASCII && character.isNumber {
                normalized.append(character)
            } else if character == "+" && index == 0 {
                normalized.append(character)
            } else if !" .-()".contains(character) {
                throw InvalidValue("may contain only digits, spaces, dots, dashes, brackets and a leading +")
            }
        }
        let digitCount = normalized.filter(\.isNumber).count
        guard (4...15).contains(digitCount) else {
            throw InvalidValue("must have 4 to 15 digits")
        }
        self.value = normalized
    }

    public var description: String { value }
}
