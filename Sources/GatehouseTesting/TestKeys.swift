public import GatehouseCore

extension MasterKey {
    /// A fixed key for tests (never used outside them).
    public static let testKey = try! MasterKey(bytes: Array(repeating: 7, count: 32))
}
