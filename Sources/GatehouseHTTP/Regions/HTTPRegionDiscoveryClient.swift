import AsyncHTTPClient
import Foundation
import GatehouseCore

/// Asks another region's `GET /api/v1/discovery` where a tenant or domain lives. Short
/// timeouts: a login page waits for this, and a region that is down must not hold it up.
struct HTTPRegionDiscoveryClient: RegionDiscoveryClient {
    let timeoutSeconds: Int64

    init(timeoutSeconds: Int64 = 2) {
        self.timeoutSeconds = timeoutSeconds
    }

    /// The whole exchange, answer body included, within the timeout: a region that starts
    /// answering and then stalls must not hold a login page.
    func region(of query: DiscoveryQuery, asking region: RegionEntry) async throws -> RegionCode? {
        try await withThrowingTaskGroup(of: RegionCode?.self) { group in
            group.addTask { try await self.ask(query, region) }
            group.addTask {
                try await Task.sleep(for: .seconds(timeoutSeconds))
                throw DiscoveryTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    private func ask(_ query: DiscoveryQuery, _ region: RegionEntry) async throws -> RegionCode? {
        guard let base = region.baseURL, var components = URLComponents(string: base + "/api/v1/discovery") else { return nil }
        switch query {
        case .tenant(let slug): components.queryItems = [URLQueryItem(name: "tenant", value: slug.rawValue)]
        case .domain(let domain): components.queryItems = [URLQueryItem(name: "domain", value: domain)]
        }
        guard let url = components.string else { return nil }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeoutSeconds))
        let body = try await response.body.collect(upTo: 16 * 1024)
        guard response.status == .ok,
              let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
              let code = object["region"] as? String
        else { return nil }
        return try? RegionCode(code)
    }
}

struct DiscoveryTimeout: Error {}
