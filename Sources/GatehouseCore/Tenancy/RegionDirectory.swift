public import Foundation

/// One region of the platform: its code, its name for people, and the address of its servers.
public struct RegionEntry: Sendable, Equatable {
    public let code: RegionCode
    public let name: String
    /// `https://login.eu.example.com`, without a trailing slash. Nil only for this server's own
    /// region when no directory was configured (its address is then the server's own).
    public let baseURL: String?

    public init(code: RegionCode, name: String, baseURL: String?) {
        self.code = code
        self.name = name
        self.baseURL = baseURL
    }
}

/// The regions this server knows (`--regions-file`): shown as a chooser on the login page,
/// asked where a tenant lives, and sent to when a tenant lives elsewhere.
public struct RegionDirectory: Sendable, Equatable {
    public let local: RegionCode
    /// Every region, this server's own among them, in the file's order.
    public let regions: [RegionEntry]

    /// A server alone in its region, knowing no others.
    public init(local: RegionCode) {
        self.local = local
        self.regions = [RegionEntry(code: local, name: local.rawValue.uppercased(), baseURL: nil)]
    }

    public init(local: RegionCode, regions: [RegionEntry]) throws(RegionDirectoryError) {
        guard Set(regions.map(\.code)).count == regions.count else { throw RegionDirectoryError("region codes must be unique") }
        guard regions.contains(where: { $0.code == local }) else {
            throw RegionDirectoryError("this server's region \(local) is not in the directory")
        }
        self.local = local
        self.regions = regions
    }

    /// Reads `[{"code":"na","name":"North America","base_url":"https://…"}, …]`.
    public static func parse(_ data: Data, local: RegionCode) throws(RegionDirectoryError) -> RegionDirectory {
        guard let items = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw RegionDirectoryError("must be a JSON array of objects with code, name and base_url")
        }
        var regions: [RegionEntry] = []
        for (index, item) in items.enumerated() {
            guard let codeText = item["code"] as? String, let code = try? RegionCode(codeText) else {
                throw RegionDirectoryError("entry \(index + 1): code must be a short region code such as na or eu")
            }
            guard let name = item["name"] as? String, !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 60 else {
                throw RegionDirectoryError("entry \(index + 1) (\(code)): name must be 1 to 60 characters")
            }
            guard var base = item["base_url"] as? String, let url = URL(string: base), url.host != nil,
                  ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.query == nil, url.fragment == nil else {
                throw RegionDirectoryError("entry \(index + 1) (\(code)): base_url must be an http or https URL such as https://login.eu.example.com")
            }
            while base.hasSuffix("/") { base.removeLast() }
            regions.append(RegionEntry(code: code, name: name, baseURL: base))
        }
        return try RegionDirectory(local: local, regions: regions)
    }

    public func entry(_ code: RegionCode) -> RegionEntry? { regions.first { $0.code == code } }

    /// The regions other than this server's.
    public var others: [RegionEntry] { regions.filter { $0.code != local } }
}

public struct RegionDirectoryError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
