import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseStorage
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Regions: the discovery lookup, and the login page sending people to their tenant's region.
/// The other region is a scripted client here; e2e/test_regions.py runs two real servers.
@Suite struct RegionTests {
    /// Answers for the other regions, counting the questions.
    final class ScriptedRegions: RegionDiscoveryClient {
        let answers: [String: String]
        let asked = Mutex(0)
        init(_ answers: [String: String]) { self.answers = answers }
        func region(of query: DiscoveryQuery, asking region: RegionEntry) async throws -> RegionCode? {
            asked.withLock { $0 += 1 }
            guard case .tenant(let slug) = query, let code = answers[slug.rawValue] else { return nil }
            return try RegionCode(code)
        }
    }

    static func twoRegions() throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.regions = try RegionDirectory.parse(Data("""
            [{"code":"na","name":"North America","base_url":"http://na.test"},
             {"code":"eu","name":"Europe","base_url":"https://eu.example.test/"}]
            """.utf8), local: .northAmerica)
        return configuration
    }

    @Test(arguments: [
        #"[{"code":"eu","name":"Europe","base_url":"https://eu.test"}]"#, #"{"code":"na"}"#, #"[{"code":"na","name":"North America"}]"#, #"[{"code":"n a","name":"x","base_url":"https://a.test"}]"#,
        #"[{"code":"na","name":"A","base_url":"ftp://a.test"}]"#,
        #"[{"code":"na","name":"A","base_url":"https://a.test"},{"code":"na","name":"B","base_url":"https://b.test"}]"#,
    ])
    func badDirectories_areRefusedWithAReason(_ json: String) {
        #expect(throws: RegionDirectoryError.self) { try RegionDirectory.parse(Data(json.utf8), local: .northAmerica) }
    }

    @Test(arguments: TestDatabases.kinds)
    func discovery_answersOnlyTheRegion_of_tenantsAndDomainsItHolds(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { _, client in
            let acme = try await client.execute(uri: "/api/v1/discovery?tenant=acme", method: .get)
            #expect(acme.status == .ok && acme.text == #"{"region":"na"}"#)
            let domain = try await client.execute(uri: "/api/v1/discovery?domain=ACME.test", method: .get)
            #expect(domain.status == .ok && domain.object["region"] as? String == "na")
            let unknown = try await client.execute(uri: "/api/v1/discovery?tenant=globex", method: .get)
            #expect(unknown.status == .notFound && unknown.errorCode == "not_found")
            for bad in ["/api/v1/discovery", "/api/v1/discovery?tenant=acme&domain=acme.test", "/api/v1/discovery?tenant=Not%20a%20slug",
                        "/api/v1/discovery?domain=nodots"] {
                let response = try await client.execute(uri: bad, method: .get)
                #expect(response.status == .badRequest && response.errorCode == "validation_failed", "\(bad): \(response.text)")
            }
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func aTenantOfAnotherRegion_sendsTheLoginPageThere_withTenantAndUsername(_ kind: DatabaseKind) async throws {
        let regions = ScriptedRegions(["globex": "eu"])
        try await Harness.run(kind, configuration: try Self.twoRegions(), regionDiscovery: regions) { _, client in
            let page = try await client.execute(uri: "/login?tenant=globex&username=kim%40globex.test", method: .get,
                                                headers: [.cookie: "gatehouse_lang=fr"])
            #expect(page.status == .found)
            #expect(page.headers[.location] == "https://eu.example.test/login?tenant=globex&username=kim@globex.test&lang=fr")

            // Typed into this region's form: sent on, with the username and never the password.
            let form = try await client.execute(uri: "/login", method: .get)
            let csrf = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_csrf=") })
            let token = String(csrf.split(separator: ";")[0].dropFirst("gatehouse_csrf=".count))
            let posted = try await client.execute(uri: "/login", method: .post,
                                                  headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "gatehouse_csrf=\(token)"],
                                                  body: ByteBuffer(string: "csrf_token=\(token)&tenant=globex&username=2001&password=secret"))
            #expect(posted.status == .seeOther)
            let location = try #require(posted.headers[.location])
            #expect(location == "https://eu.example.test/login?tenant=globex&username=2001" && !location.contains("secret"))
            // No password needed to be sent on; tenant names in any case.
            let bare = try await client.execute(uri: "/login", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "gatehouse_csrf=\(token)"],
                                                body: ByteBuffer(string: "csrf_token=\(token)&tenant=%20GLOBEX&username="))
            #expect(bare.status == .seeOther && bare.headers[.location] == "https://eu.example.test/login?tenant=globex")
            // The login form may post on to the other region (the browser checks the redirect against form-action).
            #expect(form.headers[.contentSecurityPolicy]?.contains("form-action 'self' https://eu.example.test;") == true)
            // Asked once: the answer is cached.
            #expect(regions.asked.withLock { $0 } == 1)

            // Local tenants stay; unknown ones too (the page says nothing about existence).
            #expect(try await client.execute(uri: "/login?tenant=acme", method: .get).status == .ok)
            let unknown = try await client.execute(uri: "/login?tenant=nowhere", method: .get)
            #expect(unknown.status == .ok)

            // The chooser lists both regions, this one marked.
            #expect(form.text.contains(#"href="/login" data-region="na" aria-current="true""#))
            #expect(form.text.contains(#"href="https://eu.example.test/login" data-region="eu""#))
        }
    }

    /// A region that failed to answer.
    final class DownRegion: RegionDiscoveryClient {
        let asked = Mutex(0)
        func region(of query: DiscoveryQuery, asking region: RegionEntry) async throws -> RegionCode? {
            asked.withLock { $0 += 1 }
            throw CancellationError()
        }
    }

    @Test func aRegionThatFailed_isAskedAgain_andOneVisitorCannotUseUpTheLookups() async throws {
        try await TestDatabases.withDatabase(.sqlite) { database in
            let clock = FixedClock()
            let downRegion = DownRegion()
            let down = TenantLocator(directory: try Self.twoRegions().regions, tenants: SQLTenantRepository(database: database),
                                     members: SQLMemberRepository(database: database), client: downRegion, clock: clock)
            #expect(try await down.locate(.tenant(TenantSlug("globex"))) == .unknown)
            #expect(try await down.locate(.tenant(TenantSlug("globex"))) == .unknown)
            #expect(downRegion.asked.withLock { $0 } == 2, "an answer missing for a failure must not be cached")
            let regions = ScriptedRegions(["globex": "eu"])
            let locator = TenantLocator(directory: try Self.twoRegions().regions, tenants: SQLTenantRepository(database: database),
                                        members: SQLMemberRepository(database: database), client: regions, clock: clock)
            for index in 0..<30 { _ = try await locator.locate(.tenant(TenantSlug("made-up-\(index)")), asker: "10.0.0.1") }
            #expect(regions.asked.withLock { $0 } == 30)
            // The 31st made-up name from the same visitor is not asked about; other visitors still are.
            #expect(try await locator.locate(.tenant(TenantSlug("globex")), asker: "10.0.0.1") == .unknown)
            #expect(regions.asked.withLock { $0 } == 30)
            guard case .elsewhere = try await locator.locate(.tenant(TenantSlug("globex")), asker: "10.0.0.2") else {
                Issue.record("another visitor must still find globex"); return
            }
        }
    }

    @Test func unknownAnswers_areCachedBriefly_foundOnesLonger() async throws {
        try await TestDatabases.withDatabase(.sqlite) { database in
            let clock = FixedClock()
            let regions = ScriptedRegions(["globex": "eu"])
            let locator = TenantLocator(directory: try Self.twoRegions().regions, tenants: SQLTenantRepository(database: database),
                                        members: SQLMemberRepository(database: database), client: regions, clock: clock)
            #expect(try await locator.locate(.tenant(TenantSlug("nowhere"))) == .unknown)
            #expect(try await locator.locate(.tenant(TenantSlug("nowhere"))) == .unknown)
            #expect(regions.asked.withLock { $0 } == 1)
            clock.advance(by: 31)
            _ = try await locator.locate(.tenant(TenantSlug("nowhere")))
            #expect(regions.asked.withLock { $0 } == 2)
            guard case .elsewhere(let eu) = try await locator.locate(.tenant(TenantSlug("globex"))) else { Issue.record("not found"); return }
            #expect(eu.code.rawValue == "eu")
            clock.advance(by: 299)
            _ = try await locator.locate(.tenant(TenantSlug("globex")))
            #expect(regions.asked.withLock { $0 } == 3)
        }
    }
}
