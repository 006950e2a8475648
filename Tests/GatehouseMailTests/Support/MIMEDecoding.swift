import Foundation

/// Independent decoders for what the encoder produces, so the tests check round trips rather
/// than the encoder's own idea of itself.
enum MIMEDecoding {
    /// Quoted-printable to bytes: "=XX" is a byte, "=" at the end of a line a soft break.
    static func quotedPrintable(_ encoded: String) -> [UInt8]? {
        var output: [UInt8] = []
        let bytes = Array(encoded.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") {
                    index += 3
                    continue
                }
                guard index + 2 < bytes.count,
                      let value = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16)
                else { return nil }
                output.append(value)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// The header block of a message, unfolded, as (name, value) pairs in order.
    static func headers(of message: String) -> [(name: String, value: String)] {
        let block = message.components(separatedBy: "\r\n\r\n")[0]
        let unfolded = block.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
        return unfolded.components(separatedBy: "\r\n").map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
    }

    static func header(_ name: String, of message: String) -> String? {
        headers(of: message).first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// RFC 2047: each `=?utf-8?B?…?=` decoded, white space between adjacent encoded-words dropped.
    static func encodedWords(_ value: String) -> String? {
        let pattern = try! NSRegularExpression(pattern: #"=\?utf-8\?B\?([A-Za-z0-9+/=]*)\?="#)
        var bytes: [UInt8] = []
        var rest = value[...]
        var previousWasWord = false
        while !rest.isEmpty {
            let range = NSRange(rest.startIndex..<rest.endIndex, in: value)
            guard let match = pattern.firstMatch(in: value, range: range), let whole = Range(match.range, in: value) else {
                bytes += Array(rest.utf8)
                break
            }
            let between = value[rest.startIndex..<whole.lowerBound]
            if !(previousWasWord && between.allSatisfy(\.isWhitespace)) {
                bytes += Array(between.utf8)
            }
            guard let payload = Range(match.range(at: 1), in: value), let decoded = Data(base64Encoded: String(value[payload])) else {
                return nil
            }
            bytes += decoded
            previousWasWord = true
            rest = value[whole.upperBound...]
        }
        return String(bytes: bytes, encoding: .utf8)
    }
}
