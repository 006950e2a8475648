import Foundation
import GatehouseCore

/// An app as the API shows it.
struct AppJSON: Encodable {
    let id: String
    let name: String
    let url: String
    @NullWhenAbsent var icon: String?
    let roles: [String]
    let position: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ app: App) {
        id = app.id.uuidString.lowercased()
        name = app.name
        url = app.url
        icon = app.icon
        roles = app.roles.sorted().map(\.rawValue)
        position = app.position
        createdAt = app.createdAt
        updatedAt = app.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, url, icon, roles, position, createdAt = "created_at", updatedAt = "updated_at"
    }
}
