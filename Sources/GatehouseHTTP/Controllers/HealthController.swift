import GatehouseStorage
import Hummingbird

/// `/healthz` (the process is up) and `/readyz` (it can reach its database), for load
/// balancers and orchestrators.
struct HealthController: Sendable {
    let database: Database

    private struct Status: Encodable {
        let status: String
        let database: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in
            try JSONResponse.make(Status(status: "ok", database: database.kind.rawValue))
        }
        router.get("readyz") { _, context in
            do {
                try await database.ping()
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
                throw APIError(.serviceUnavailable, "not_ready", "The database does not answer.")
            }
            return try JSONResponse.make(Status(status: "ready", database: database.kind.rawValue))
        }
    }
}
