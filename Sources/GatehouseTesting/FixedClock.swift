public import Foundation
public import GatehouseCore
import Synchronization

/// A clock that stands still until a test moves it.
public final class FixedClock: WallClock {
    private let instant: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.instant = Mutex(start)
    }

    public func now() -> Date { instant.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        instant.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
