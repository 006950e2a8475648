/// A mailbox: an address and an optional display name.
public struct MailAddress: Sendable, Equatable {
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }
}
