/// The DATA payload (RFC 5321 §4.5.2): every line break CRLF, a "." doubled at the start of a
/// line, the last line ended, and the terminating "." line.
///
/// Bare CR and LF become CRLF rather than passing through: servers disagree about where a
/// line ends, and a body with "\n.\n" could otherwise end the data early on some of them and
/// smuggle a second message ("SMTP smuggling").
enum DotStuffing {
    static func dataPayload(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 50 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if byte == .cr || byte == .lf {
                output += [.cr, .lf]
                if byte == .cr, index + 1 < message.count, message[index + 1] == .lf {
                    index += 1
                }
                atLineStart = true
            } else {
                if atLineStart && byte == .dot {
                    output.append(.dot)
                }
                output.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart {
            output += [.cr, .lf]
        }
        output += [.dot, .cr, .lf]
        return output
    }
}
