/// Email addresses shown half-hidden (`j***@a***.com`), for the forgot-password step where a
/// person confirms the address on record without the page revealing it.
public enum EmailMask {
    public static func mask(_ email: EmailAddress) -> String {
        mask(local: email.localPart, domain: email.domain)
    }

    static func mask(local: String, domain: String) -> String {
        let labels = domain.split(separator: ".")
        let top = labels.count > 1 ? "." + labels.last! : ""
        // Lower case, so that the case someone typed never tells a real address from a decoy.
        return "\(local.prefix(1))***@\(domain.prefix(1))***\(top)".lowercased()
    }

    /// A believable masked address for a name that matches no account, the same every time
    /// for the same name and unpredictable without the server's key.
    ///
    /// For an email typed as the username, the real answer would be that email masked (people
    /// sign in with their address), so that is what unknown emails get: anything else would
    /// give them away. Agent IDs reveal nothing of the address, so theirs is made from `mac`.
    public static func decoy(forUsername username: String, mac: [UInt8]) -> String {
        if let email = try? EmailAddress(username) { return mask(email) }
        let letters = Array("abcdefghijklmnoprstw")
        let domains = ["com", "com", "com", "net", "org", "co", "io"]
        return "\(letters[Int(mac[0]) % letters.count])***@\(letters[Int(mac[1]) % letters.count])***.\(domains[Int(mac[2]) % domains.count])"
    }
}
