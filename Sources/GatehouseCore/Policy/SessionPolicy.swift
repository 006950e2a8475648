/// How long sessions last and how many a person may hold (tenant setting `session_policy`).
public struct SessionPolicy: Sendable, Equatable {
    /// Seconds without a request after which a session ends. Default 1800 (30 minutes).
    public var idleTimeoutSeconds = 1800
    /// Seconds after sign-in at which a session ends whatever the activity. Default 43200 (12 h).
    /// Does not apply to "keep me signed in" sessions, which end only after their own idle time.
    public var absoluteTimeoutSeconds = 43200
    /// Seconds without a request after which a "keep me signed in" session ends. Default 1728000 (20 days).
    public var persistentIdleTimeoutSeconds = 1_728_000
    /// Sessions one person may hold at once; nil is no limit.
    public var maxConcurrentSessions: Int?
    /// What happens at the limit.
    public var onLimit = OnLimit.refuse

    public enum OnLimit: String, Sendable, CaseIterable {
        /// The new sign-in is refused with a message saying why.
        case refuse
        /// The oldest sessions end to make room.
        case endOldest = "end_oldest"
    }

    public init() {}

    static let key = "session_policy"
    static let fields: Set<String> = ["idle_timeout_seconds", "absolute_timeout_seconds", "persistent_idle_timeout_seconds",
                                      "max_concurrent_sessions", "on_limit"]

    init(_ document: [String: JSONValue], errors: inout FieldErrors) {
        var reader = SettingsReader(section: Self.key, document: document, errors: errors)
        idleTimeoutSeconds = reader.int("idle_timeout_seconds", default: idleTimeoutSeconds, in: 1...2_592_000)
        absoluteTimeoutSeconds = reader.int("absolute_timeout_seconds", default: absoluteTimeoutSeconds, in: 1...2_592_000)
        persistentIdleTimeoutSeconds = reader.int("persistent_idle_timeout_seconds", default: persistentIdleTimeoutSeconds,
                                                  in: 1...7_776_000)
        maxConcurrentSessions = reader.optionalInt("max_concurrent_sessions", default: nil, in: 1...1000)
        onLimit = reader.choice("on_limit", default: onLimit, OnLimit.self)
        errors = reader.errors
    }

    var json: JSONValue {
        .object([
            "idle_timeout_seconds": .number(Double(idleTimeoutSeconds)),
            "absolute_timeout_seconds": .number(Double(absoluteTimeoutSeconds)),
            "persistent_idle_timeout_seconds": .number(Double(persistentIdleTimeoutSeconds)),
            "max_concurrent_sessions": maxConcurrentSessions.map { .number(Double($0)) } ?? .null,
            "on_limit": .string(onLimit.rawValue),
        ])
    }
}

/// When repeated wrong passwords lock an account (tenant setting `lockout`).
public struct LockoutPolicy: Sendable, Equatable {
    /// Failures within the window that lock the account. Default 5.
    public var maxFailures = 5
    /// The window failures are counted in, seconds. Default 900.
    public var windowSeconds = 900
    /// How long the account stays locked, seconds. Default 900.
    public var lockoutSeconds = 900

    public init() {}

    static let key = "lockout"
    static let fields: Set<String> = ["max_failures", "window_seconds", "lockout_seconds"]

    init(_ document: [String: JSONValue], errors: inout FieldErrors) {
        var reader = SettingsReader(section: Self.key, document: document, errors: errors)
        maxFailures = reader.int("max_failures", default: maxFailures, in: 1...100)
        windowSeconds = reader.int("window_seconds", default: windowSeconds, in: 1...86400)
        lockoutSeconds = reader.int("lockout_seconds", default: lockoutSeconds, in: 1...86400)
        errors = reader.errors
    }

    var json: JSONValue {
        .object([
            "max_failures": .number(Double(maxFailures)),
            "window_seconds": .number(Double(windowSeconds)),
            "lockout_seconds": .number(Double(lockoutSeconds)),
        ])
    }
}
