public import Foundation

/// What the browser said when the person's microphone was checked (agents take calls in the
/// browser, so the desktop checks it after sign-in).
public enum MicrophoneCheckResult: String, Sendable, CaseIterable {
    /// Access was granted.
    case allowed
    /// The person or the browser refused access.
    case denied
    /// No microphone, or the browser cannot ask.
    case unavailable
}

/// The person's last microphone check.
public struct MicrophoneCheck: Sendable, Equatable {
    public let result: MicrophoneCheckResult
    /// The server's clock when it was recorded.
    public let checkedAt: Date

    public init(result: MicrophoneCheckResult, checkedAt: Date) {
        self.result = result
        self.checkedAt = checkedAt
    }
}

extension Member {
    /// Whether the page after sign-in should check the microphone: for agents who never had
    /// it checked.
    public var needsMicrophoneCheck: Bool {
        membership.roles.contains(.agent) && user.microphoneCheck == nil
    }
}
