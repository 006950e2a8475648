/// A write refused because it would break a uniqueness rule: an email already used on this
/// server, an agent ID already used in the tenant, a slug already taken.
public struct Conflict: Error, Sendable, Equatable {
    /// The API field that collides (`email`, `agent_id`, `slug`).
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public static let email = Conflict(field: "email", message: "This email address is already in use on this server.")
    public static let agentID = Conflict(field: "agent_id", message: "This agent ID is already used in this tenant.")
    public static let slug = Conflict(field: "slug", message: "A tenant with this slug already exists.")
}

/// The thing asked for does not exist, or is not visible to the one asking (a tenant's
/// token never learns whether another tenant's user exists).
public struct NotFound: Error, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
