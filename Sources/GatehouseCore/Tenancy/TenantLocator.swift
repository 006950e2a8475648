public import Foundation
import Synchronization

/// What a person names on a login page: a tenant, or (for single sign-on) an email domain.
public enum DiscoveryQuery: Hashable, Sendable {
    case tenant(TenantSlug)
    case domain(String)
}

/// Asks another region's servers where a tenant or domain lives (`GET /api/v1/discovery`).
public protocol RegionDiscoveryClient: Sendable {
    /// The region `region`'s servers name for `query`, or nil when they do not know it.
    func region(of query: DiscoveryQuery, asking region: RegionEntry) async throws -> RegionCode?
}

/// Where a tenant lives, seen from this server.
public enum TenantLocation: Sendable, Equatable {
    case here
    case elsewhere(RegionEntry)
    case unknown
}

/// Finds the region of a tenant or email domain: this server's database first, then the other
/// regions' discovery lookups, asked together. Answers are cached (found for five minutes,
/// unknown for half a minute), so a shift starting in one office costs one lookup per tenant,
/// not one per agent. Only region codes cross regions.
public final class TenantLocator: Sendable {
    let directory: RegionDirectory
    let tenants: any TenantRepository
    let members: any MemberRepository
    let client: any RegionDiscoveryClient
    let clock: any WallClock
    private let cache = Mutex<[DiscoveryQuery: (location: TenantLocation, until: Date)]>([:])
    static let foundSeconds: TimeInterval = 300
    static let unknownSeconds: TimeInterval = 30
    /// Lookups in other regions one visitor may cause a minute.
    let askers = AskerAllowance(limit: 30)

    public init(directory: RegionDirectory, tenants: any TenantRepository, members: any MemberRepository,
                client: any RegionDiscoveryClient, clock: any WallClock) {
        self.directory = directory
        self.tenants = tenants
        self.members = members
        self.client = client
        self.clock = clock
    }

    /// The region this server's own database gives for `query`, if it knows it.
    public func localRegion(of query: DiscoveryQuery) async throws -> RegionCode? {
        switch query {
        case .tenant(let slug):
            return try await tenants.find(slug: slug)?.region
        case .domain(let domain):
            guard let id = try await members.tenantHolding(domain: domain) else { return nil }
            return try await tenants.find(id: id)?.region
        }
    }

    /// Where `query` lives. `asker` (the visitor's address) is allowed a few lookups in other
    /// regions a minute: one visitor typing made-up names must not use up this server's own
    /// allowance at the other regions, which would hide real tenants from everyone.
    public func locate(_ query: DiscoveryQuery, asker: String? = nil) async throws -> TenantLocation {
        if let region = try await localRegion(of: query) {
            if region == directory.local { return .here }
            if let entry = directory.entry(region), entry.baseURL != nil { return .elsewhere(entry) }
        }
        let now = clock.now()
        if let cached = cache.withLock({ $0[query] }), cached.until > now { return cached.location }
        if directory.others.isEmpty { return .unknown }
        if let asker, !askers.allows(asker, at: now) { return .unknown }
        let (location, everyoneAnswered) = await askOthers(query)
        // "Unknown" is remembered only when every region answered: a region that was down or
        // refusing must be asked again next time.
        guard location != .unknown || everyoneAnswered else { return location }
        let lifetime = location == .unknown ? Self.unknownSeconds : Self.foundSeconds
        cache.withLock { entries in
            // The cache holds what people typed; a flood of made-up names must not grow it forever.
            if entries.count >= 10_000 { entries = entries.filter { $0.value.until > now } }
            if entries.count < 10_000 { entries[query] = (location, now.addingTimeInterval(lifetime)) }
        }
        return location
    }

    /// Every other region at once; the first that claims the query for itself wins. A region
    /// that is down or slow counts as not knowing (and makes the answer incomplete).
    private func askOthers(_ query: DiscoveryQuery) async -> (TenantLocation, complete: Bool) {
        let others = directory.others.filter { $0.baseURL != nil }
        guard !others.isEmpty else { return (.unknown, true) }
        return await withTaskGroup(of: (RegionEntry?, answered: Bool).self) { group in
            for region in others {
                group.addTask { [client] in
                    do {
                        let answer = try await client.region(of: query, asking: region)
                        return (answer == region.code ? region : nil, true)
                    } catch {
                        return (nil, false)
                    }
                }
            }
            var complete = true
            for await (found, answered) in group {
                if let found {
                    group.cancelAll()
                    return (.elsewhere(found), true)
                }
                complete = complete && answered
            }
            return (.unknown, complete)
        }
    }
}

/// Lookups in other regions each visitor may cause: `limit` a minute.
final class AskerAllowance: Sendable {
    let limit: Int
    private let windows = Mutex<[String: (start: Date, count: Int)]>([:])

    init(limit: Int) { self.limit = limit }

    func allows(_ asker: String, at now: Date) -> Bool {
        windows.withLock { windows in
            if windows.count > 50_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < 60 } }
            var window = windows[asker] ?? (now, 0)
            if now.timeIntervalSince(window.start) >= 60 { window = (now, 0) }
            window.count += 1
            windows[asker] = window
            return window.count <= limit
        }
    }
}
