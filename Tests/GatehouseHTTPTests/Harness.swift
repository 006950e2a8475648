import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseStorage
import GatehouseTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// An application on a fresh database with two tenants, `acme` and `beta`, each with an
/// administrator token and a default Presence Reason list (so that agents may sign in; the
/// gate's tests take it away), and an agent token in `acme`.
struct Harness: Sendable {
    let database: Database
    let adminToken: String
    let agentToken: String
    let betaAdminToken: String
    /// acme's default Presence Reason list ("Standard": Break, Lunch).
    let acmeDefaultList: UUID
    let betaDefaultList: UUID
    let clock = FixedClock()

    static func run(_ kind: DatabaseKind, configuration: ServerConfiguration = ServerConfiguration(),
                    regionDiscovery: (any RegionDiscoveryClient)? = nil,
                    _ body: @Sendable (Harness, any TestClientProtocol) async throws -> Void) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let harness = try await Harness.make(database)
            var dependencies = ApplicationDependencies(database: database, clock: harness.clock, random: SystemRandomSource(),
                                                       passwordHasher: PlainTestHasher(), masterKey: .testKey)
            dependencies.regionDiscovery = regionDiscovery
            let router = try await buildRouter(configuration: configuration, dependencies: dependencies)
            try await Application(router: router).test(.router) { client in try await body(harness, client) }
        }
    }

    private static func make(_ database: Database) async throws -> Harness {
        let clock = FixedClock()
        let tenants = SQLTenantRepository(database: database)
        let directory = MemberDirectory(members: SQLMemberRepository(database: database), clock: clock)
        let tokens = APITokenService(tokens: SQLAPITokenRepository(database: database), clock: clock, random: SystemRandomSource())
        let lists = SQLPresenceReasonListRepository(database: database)
        var secrets: [String] = []
        var defaultLists: [UUID] = []
        for (slug, people) in [("acme", [("ana@acme.test", "administrator"), ("al@acme.test", "agent")]),
                               ("beta", [("bea@beta.test", "administrator")])] {
            let tenant = Tenant(slug: try TenantSlug(slug), displayName: slug, region: .northAmerica, createdAt: clock.now())
            try await tenants.create(tenant, audit: AuditEvent(at: clock.now(), tenant: tenant.id, actor: .system, action: .tenantCreate, outcome: .success))
            let standard = PresenceReasonList(tenantID: tenant.id, name: "Standard", isDefault: true,
                                              reasons: [PresenceReason(name: "Break", code: "BRK"), PresenceReason(name: "Lunch", code: nil)],
                                              createdAt: clock.now(), updatedAt: clock.now())
            try await lists.create(standard, audit: AuditEvent(at: clock.now(), tenant: tenant.id, actor: .system,
                                                               action: .presenceReasonListCreate, outcome: .success))
            defaultLists.append(standard.id)
            for (email, role) in people {
                let member = try await directory.create(in: tenant.id, NewMemberInput(email: email, firstName: "A", lastName: "B", roles: [role]),
                                                        context: .init(actor: .system, clientIP: nil))
                secrets.append(try await tokens.issue(for: member, in: tenant, name: "test", actor: .system).secret)
            }
        }
        return Harness(database: database, adminToken: secrets[0], agentToken: secrets[1], betaAdminToken: secrets[2],
                       acmeDefaultList: defaultLists[0], betaDefaultList: defaultLists[1])
    }
}

extension TestClientProtocol {
    /// A JSON request with a bearer token.
    func api(_ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil,
             contentType: String = "application/json") async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
    var text: String { String(buffer: body) }
    var errorCode: String? { object["error"] as? String }
    var fieldNames: Set<String> { Set((object["fields"] as? [String: Any])?.keys.map { $0 } ?? []) }
}
