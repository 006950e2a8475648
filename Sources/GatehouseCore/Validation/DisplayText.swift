import Foundation

/// A short human text such as a name: trimmed, not empty, without control characters,
/// bounded in length so a form cannot store megabytes.
public struct DisplayText: Sendable {
    public let value: String

    public init(_ text: String, maxLength: Int = 100) throws(InvalidValue) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw InvalidValue("must not be empty") }
        guard trimmed.count <= maxLength else { throw InvalidValue("must be at most \(maxLength) characters") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw InvalidValue("must not contain control characters")
        }
        self.value = trimmed
    }
}
