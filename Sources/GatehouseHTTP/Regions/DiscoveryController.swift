import Foundation
import GatehouseCore
import Hummingbird
import Synchronization

/// `GET /api/v1/discovery?tenant=acme` or `?domain=example.com`: the region a tenant or email
/// domain lives in, `{"region":"eu"}`, for the other regions' login pages. It answers the
/// region and nothing else (no names, no people); unknown ones are 404. Limited per client
/// address, since tenant names can be guessed.
struct DiscoveryController: Sendable {
    let locator: TenantLocator
    let limiter: DiscoveryRateLimiter

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api/v1/discovery", use: discover)
    }

    @Sendable func discover(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let wait = limiter.refusal(for: context.clientIP ?? "unknown") {
            throw APIError(.tooManyRequests, "too_many_requests", "Too many lookups. Try again in \(wait) seconds.",
                           headers: [.retryAfter: String(wait)])
        }
        let query = request.uri.queryParameters
        let tenant = query["tenant"].map(String.init), domain = query["domain"].map(String.init)
        let question: DiscoveryQuery
        switch (tenant, domain) {
        case (let tenant?, nil):
            guard let slug = try? TenantSlug(tenant.trimmingCharacters(in: .whitespaces).lowercased()) else { throw APIError.validation(["tenant": "is not a tenant name"]) }
            question = .tenant(slug)
        case (nil, let domain?):
            let lowered = domain.lowercased().trimmingCharacters(in: .whitespaces)
            guard !lowered.isEmpty, lowered.count <= 253, lowered.contains("."),
                  lowered.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                throw APIError.validation(["domain": "is not a domain name"])
            }
            question = .domain(lowered)
        default:
            throw APIError.validation(["tenant": "give tenant or domain (one of them)"])
        }
        // Only this server's own knowledge: regions never ask each other in circles.
        guard let region = try await locator.localRegion(of: question) else {
            throw APIError.notFound("No tenant here has that name.")
        }
        var response = try JSONResponse.make(DiscoveryJSON(region: region.rawValue))
        response.headers[.cacheControl] = "public, max-age=60"
        return response
    }
}

struct DiscoveryJSON: Encodable {
    let region: String
}

/// A fixed window per client address: `limit` lookups a minute.
final class DiscoveryRateLimiter: Sendable {
    let limit: Int
    let clock: any WallClock
    private let windows = Mutex<[String: (start: Date, count: Int)]>([:])

    init(limit: Int = 600, clock: any WallClock) {
        self.limit = limit
        self.clock = clock
    }

    /// Seconds to wait, or nil when this lookup may go ahead.
    func refusal(for client: String) -> Int? {
        let now = clock.now()
        return windows.withLock { windows in
            if windows.count > 50_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < 60 } }
            var window = windows[client] ?? (now, 0)
            if now.timeIntervalSince(window.start) >= 60 { window = (now, 0) }
            window.count += 1
            windows[client] = window
            return window.count > limit ? max(1, Int(60 - now.timeIntervalSince(window.start))) : nil
        }
    }
}
