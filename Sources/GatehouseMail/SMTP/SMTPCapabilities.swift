/// What the server announced in its EHLO reply (RFC 5321 §4.1.1.1).
struct SMTPCapabilities: Sendable, Equatable {
    /// Upper-cased extension keywords, each with its parameters.
    var extensions: [String: [String]]

    /// The reply's first line greets; each further line names one extension.
    init(ehlo reply: SMTPReply) {
        var extensions: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else { continue }
            var keyword = words.removeFirst().uppercased()
            // Some old servers announce "AUTH=LOGIN PLAIN" as well as, or instead of, "AUTH LOGIN PLAIN".
            if keyword.hasPrefix("AUTH=") {
                words.insert(String(keyword.dropFirst(5)), at: 0)
                keyword = "AUTH"
            }
            extensions[keyword, default: []] += words
        }
        self.extensions = extensions
    }

    var startTLS: Bool { extensions["STARTTLS"] != nil }

    /// Upper-cased SASL mechanism names.
    var authenticationMechanisms: Set<String> {
        Set((extensions["AUTH"] ?? []).map { $0.uppercased() })
    }
}
