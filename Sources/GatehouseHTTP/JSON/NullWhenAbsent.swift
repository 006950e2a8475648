/// An optional that JSON shows as `null` when absent instead of leaving the key out, so API
/// clients always see every documented field. Synthesised `Encodable` encodes the wrapper
/// itself, which writes the value or `null`.
@propertyWrapper
struct NullWhenAbsent<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
