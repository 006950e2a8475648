public import Foundation

/// The time source of the domain. Core never calls `Date()` itself, so that expiry and
/// lockout rules can be tested with a fixed clock and no sleeping.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The operating system's clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

extension Date {
    /// Microseconds since 1970, the unit in which Gatehouse stores instants.
    public var microsecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The instant `microseconds` after 1970-01-01T00:00:00Z.
    public init(microsecondsSince1970 microseconds: Int64) {
        self.init(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// This instant truncated to whole microseconds, the precision storage keeps.
    public var truncatedToMicroseconds: Date {
        Date(microsecondsSince1970: microsecondsSince1970)
    }
}
