/// Where to send a browser after sign-in. Only this server's own paths are accepted, so a
/// crafted link cannot turn the login page into an open redirect to another site.
enum ReturnPath {
    static let fallback = "/landing"

    /// `candidate` if it is a safe local path (with query), else nil.
    static func validated(_ candidate: String?) -> String? {
        guard let path = candidate, !path.isEmpty, path.utf8.count <= 2048 else { return nil }
        // "//evil.test" and "/\evil.test" are read by browsers as another host.
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\") else { return nil }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7f }) else { return nil }
        // Percent-encoded slashes and backslashes decode into the same tricks.
        let lowered = path.lowercased()
        guard !lowered.hasPrefix("/%2f"), !lowered.hasPrefix("/%5c"), !lowered.contains("%5c") else { return nil }
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        guard !["/login", "/logout"].contains(route) else { return nil }
        return path
    }

    static func orFallback(_ candidate: String?) -> String { validated(candidate) ?? fallback }
}
