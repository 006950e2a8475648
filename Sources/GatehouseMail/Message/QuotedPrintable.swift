/// Quoted-printable content transfer encoding (RFC 2045 §6.7).
///
/// Keeps the body 7-bit and every line at most 76 characters, so any relay accepts it, while
/// mostly-ASCII text stays readable in the raw message.
enum QuotedPrintable {
    static let maximumLineLength = 76

    /// `text` encoded as quoted-printable with CRLF hard line breaks. A line break in the text
    /// (CRLF, LF or a lone CR) becomes a hard break; the result ends with CRLF exactly when the
    /// text ends with a line break.
    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == .cr || byte == .lf {
                encodeLine(bytes[lineStart..<index], into: &output)
                output += [.cr, .lf]
                if byte == .cr, index + 1 < bytes.count, bytes[index + 1] == .lf { index += 1 }
                lineStart = index + 1
            }
            index += 1
        }
        encodeLine(bytes[lineStart..<bytes.count], into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func encodeLine(_ line: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var column = 0
        for index in line.indices {
            let byte = line[index]
            let isLast = index == line.index(before: line.endIndex)
            // Whitespace at the end of a line may be stripped in transit, so it is encoded there.
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || ((byte == .space || byte == .tab) && !isLast)
            let width = literal ? 1 : 3
            // Leave room for the '=' of a soft break, except for the line's last character,
            // which may use the 76th column since no soft break follows it.
            let limit = isLast ? maximumLineLength : maximumLineLength - 1
            if column + width > limit {
                output += [UInt8(ascii: "="), .cr, .lf]
                column = 0
            }
            if literal {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "="), hexDigit(byte >> 4), hexDigit(byte & 0x0F)]
            }
            column += width
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}

extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let dot = UInt8(ascii: ".")
}
