/// Assembles reply lines into replies: `250-first`, `250-second`, `250 last`.
struct SMTPReplyParser {
    /// Generous bounds (RFC 5321 allows 512 octets per reply line) that keep a hostile or
    /// broken server from growing our memory without end.
    static let maximumLineLength = 4096
    static let maximumLines = 200

    private var code: Int?
    private var lines: [String] = []

    /// Whether no multi-line reply is half read.
    var isIdle: Bool { code == nil }

    /// Takes one line (without its line break); returns the reply it completes, if any.
    mutating func consume(_ line: String) throws(SMTPReplyParser.Malformed) -> SMTPReply? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let lineCode = Int(String(decoding: bytes[0...2], as: UTF8.self)), (200...599).contains(lineCode)
        else {
            throw Malformed(line: line)
        }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw Malformed(line: line)
        }
        if let code, code != lineCode {
            throw Malformed(line: line)
        }
        code = lineCode
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard lines.count <= Self.maximumLines else {
            throw Malformed(line: "(a reply of more than \(Self.maximumLines) lines)")
        }
        guard separator == UInt8(ascii: " ") else { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines)
        code = nil
        lines = []
        return reply
    }

    /// A line that is not part of a valid reply.
    struct Malformed: Error {
        var line: String
    }
}
