import Foundation

/// Where a tenant's data lives (`na`, `eu`, …). A short lower-case code; the login page of
/// a later issue sends users to the server of their tenant's region.
public struct RegionCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// The region a server uses when none is configured.
    public static let northAmerica = try! RegionCode("na")

    public init(_ text: String) throws(InvalidValue) {
        let code = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard (2...8).contains(code.count),
              code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else {
            throw InvalidValue("must be a short region code of 2 to 8 letters, digits or hyphens, such as na or eu")
        }
        self.rawValue = code
    }

    public var description: String { rawValue }
}
