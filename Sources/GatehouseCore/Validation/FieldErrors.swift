/// Everything wrong with one input, field by field, so a client can show all problems at once
/// instead of one per round trip.
public struct FieldErrors: Error, Sendable, Equatable {
    /// Field name (as the API spells it, snake_case) → what is wrong with it.
    public private(set) var messages: [String: String] = [:]

    public init() {}

    public init(_ field: String, _ message: String) {
        messages[field] = message
    }

    public var isEmpty: Bool { messages.isEmpty }

    /// Records a problem; the first problem found for a field is the one kept.
    public mutating func add(_ field: String, _ message: String) {
        if messages[field] == nil { messages[field] = message }
    }

    /// Runs `parse` and records its failure under `field`, returning nil in that case.
    public mutating func collect<T>(_ field: String, _ parse: () throws(InvalidValue) -> T) -> T? {
        do {
            return try parse()
        } catch {
            add(field, error.message)
            return nil
        }
    }

    /// Throws `self` when any field is wrong.
    public func throwIfAny() throws(FieldErrors) {
        if !isEmpty { throw self }
    }
}

/// Why one value was refused, in words a person can act on.
public struct InvalidValue: Error, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
