public import Foundation

/// Where each role lands after sign-in when no page asked for them to come back (section
/// `landing` of the tenant settings): the apps page, the console, or one app. Every role
/// lands on the apps page by default.
public struct LandingPolicy: Sendable, Equatable {
    /// A stored choice for one role.
    public enum Destination: Sendable, Equatable {
        /// The page of the apps the member's roles may open (`"apps"`).
        case apps
        /// The administration console (`"console"`); not for agents.
        case console
        /// One app of the tenant (`"app:{id}"`).
        case app(UUID)

        /// Parses `apps`, `console` or `app:{uuid}`.
        public init?(_ text: String) {
            switch text {
            case "apps": self = .apps
            case "console": self = .console
            default:
                guard text.hasPrefix("app:"), let id = UUID(uuidString: String(text.dropFirst(4))) else { return nil }
                self = .app(id)
            }
        }

        public var text: String {
            switch self {
            case .apps: "apps"
            case .console: "console"
            case .app(let id): "app:\(id.uuidString.lowercased())"
            }
        }
    }

    public var administrator = Destination.apps
    public var manager = Destination.apps
    public var supervisor = Destination.apps
    public var agent = Destination.apps

    public init() {}

    static let key = "landing"
    static let fields: Set<String> = ["administrator", "manager", "supervisor", "agent"]

    /// Which role decides for a member with several: the first of these they hold.
    public static let precedence: [Role] = [.administrator, .manager, .supervisor, .agent]

    init(_ document: [String: JSONValue], errors: inout FieldErrors) {
        var reader = SettingsReader(section: Self.key, document: document, errors: errors)
        for role in Role.allCases {
            let consoleAllowed = role != .agent
            let message = consoleAllowed ? "must be apps, console or app:{app id}" : "must be apps or app:{app id}"
            let choice = reader.parsed(role.rawValue, default: Destination.apps, message: message) { text in
                Destination(text).flatMap { $0 == .console && !consoleAllowed ? nil : $0 }
            }
            self[role] = choice
        }
        errors = reader.errors
    }

    var json: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0.rawValue, JSONValue.string(self[$0].text)) }))
    }

    public subscript(role: Role) -> Destination {
        get {
            switch role {
            case .administrator: administrator
            case .manager: manager
            case .supervisor: supervisor
            case .agent: agent
            }
        }
        set {
            switch role {
            case .administrator: administrator = newValue
            case .manager: manager = newValue
            case .supervisor: supervisor = newValue
            case .agent: agent = newValue
            }
        }
    }

    /// The choice for someone holding `roles`: that of their highest role (administrator >
    /// manager > supervisor > agent).
    public func destination(for roles: Set<Role>) -> Destination {
        guard let role = Self.precedence.first(where: roles.contains) else { return .apps }
        return self[role]
    }
}
