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

    public func locate(_ query: DiscoveryQuery) async throws -> TenantLocation {
        if let region = try await localRegion(of: query) {
            if region == directory.local { return .here }
            if let entry = directory.entry(region), entry.baseURL != nil { return .elsewhere(entry) }
        }
        let now = clock.now()
        if let cached = cache.withLock({ $0[query] }), cached.until > now { return cached.location }
        let location = await askOthers(query)
        let lifetime = location == .unknown ? Self.unknownSeconds : Self.foundSeconds
        cache.withLock { entries in
            // The cache holds what people typed; a flood of made-up names must not grow it forever.
            if entries.count >= 10_000 { entries = entries.filter { $0.value.until > now } }
            if entries.count < 10_000 { entries[query] = (location, now.addingTimeInterval(lifetime)) }
        }
        return location
    }

    /// Every other region at once; the first that claims the query for itself wins. A region
    /// that is down or slow counts as not knowing.
    private func askOthers(_ query: DiscoveryQuery) async -> TenantLocation {
        let others = directory.others.filter { $0.baseURL != nil }
        guard !others.isEmpty else { return .unknown }
        return await withTaskGroup(of: RegionEntry?.self) { group in
            for region in others {
                group.addTask { [client] in
                    guard let answer = try? await client.region(of: query, asking: region), answer == region.code else { return nil }
                    return region
                }
            }
            for await found in group {
                if let found {
                    group.cancelAll()
                    return .elsewhere(found)
                }
            }
            return .unknown
        }
    }
}
