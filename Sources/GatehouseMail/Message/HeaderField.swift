/// Header fields as they go on the wire: ASCII only, one field per logical line, physical
/// lines folded before white space at 78 characters (RFC 5322 §2.1.1), CRLF at the end.
///
/// Every value passes through `singleLine` first, so no caller-supplied text can end a header
/// and start another (header injection).
enum HeaderField {
    static let lineLimit = 78

    /// A free-text field such as Subject. ASCII text is kept as it is, folded at spaces;
    /// text with non-ASCII or control characters, or that looks like an encoded-word, is
    /// sent as encoded-words so that it decodes to exactly what was given.
    ///
    /// - Parameter encodeLongWords: also encode text with a word too long to fit a line.
    ///   Right for Subject; wrong for structured fields such as List-Unsubscribe, whose long
    ///   URLs must stay as they are.
    static func unstructured(name: String, value: String, encodeLongWords: Bool) -> String {
        let value = singleLine(value).trimmingSpaces
        var builder = Builder(name: name)
        let words = value.split(separator: " ", omittingEmptySubsequences: false)
        let longWord = words.contains { $0.utf8.count > lineLimit - 1 }
        if needsEncoding(value) || (encodeLongWords && longWord) {
            for word in EncodedWord.encode(value, firstLimit: builder.room) {
                builder.append(word)
            }
        } else {
            for word in words {
                builder.append(String(word))
            }
        }
        return builder.field
    }

    /// A list of mailboxes: `"Name" <address>` or a bare address, comma-separated.
    static func addresses(name: String, _ mailboxes: [MailAddress]) -> String {
        var builder = Builder(name: name)
        for (index, mailbox) in mailboxes.enumerated() {
            let comma = index < mailboxes.count - 1 ? "," : ""
            // Addresses are validated before sending; this only keeps a bad one on its line.
            let address = String(mailbox.address.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
            let displayName = mailbox.name.map { singleLine($0).trimmingSpaces } ?? ""
            guard !displayName.isEmpty else {
                builder.append(address + comma)
                continue
            }
            let quoted = "\"" + displayName.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\""
            // A quoted string cannot be split, so a name too long for a line goes as encoded-words.
            if needsEncoding(displayName) || quoted.utf8.count > lineLimit - 1 {
                for word in EncodedWord.encode(displayName, firstLimit: builder.room) {
                    builder.append(word)
                }
            } else {
                builder.append(quoted)
            }
            builder.append("<" + address + ">" + comma)
        }
        return builder.field
    }

    /// A field whose value the message builds itself (Date, Message-ID, MIME headers).
    static func plain(name: String, value: String) -> String {
        name + ": " + singleLine(value) + "\r\n"
    }

    /// Whether `name` may be a header field name (RFC 5322 §3.6.8: printable ASCII, no colon).
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 76 && name.utf8.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }
    }

    /// `text` with each line break turned into a space.
    static func singleLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            scalars.append(scalar == "\r" || scalar == "\n" ? " " : scalar)
        }
        return String(scalars)
    }

    /// Text that a header cannot carry as it is.
    static func needsEncoding(_ text: String) -> Bool {
        text.contains("=?") || text.unicodeScalars.contains { !($0.value >= 0x20 && $0.value < 0x7F) && $0 != "\t" }
    }

    /// Accumulates tokens (which are never split) into folded lines.
    struct Builder {
        private var text: String
        private var column: Int

        init(name: String) {
            text = name + ":"
            column = text.utf8.count
        }

        /// Characters left for a token on the current line, after its leading space.
        var room: Int { lineLimit - column - 1 }

        /// Appends a space and `token`, first folding (CRLF before the space) if the token
        /// does not fit the line. A token longer than a whole line stays whole on its own line.
        mutating func append(_ token: String) {
            let width = token.utf8.count
            if column > 0 && width > 0 && column + 1 + width > lineLimit {
                text += "\r\n"
                column = 0
            }
            text += " " + token
            column += 1 + width
        }

        var field: String { text + "\r\n" }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs, which unfolding would not preserve.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}
