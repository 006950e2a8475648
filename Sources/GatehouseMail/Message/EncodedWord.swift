/// RFC 2047 encoded-words: how non-ASCII text gets into a header, which must be ASCII.
///
/// Always the B (base64) form: it is valid everywhere an encoded-word may appear, including
/// display names, where the Q form would have to escape most punctuation.
enum EncodedWord {
    /// RFC 2047 §2: no encoded-word may be longer than this.
    static let maximumLength = 75
    private static let prefix = "=?utf-8?B?"
    private static let suffix = "?="
    /// A word must fit at least one four-byte character.
    private static let minimumLength = prefix.count + suffix.count + 8

    /// `text` as encoded-words, to be separated by folding white space (which decoders drop
    /// between adjacent encoded-words). Each word is at most 75 characters, the first at most
    /// `firstLimit` so it fits the rest of the current line, and no character's bytes are split
    /// between two words (RFC 2047 §5).
    static func encode(_ text: String, firstLimit: Int = maximumLength) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = firstLimit >= minimumLength ? min(firstLimit, maximumLength) : maximumLength
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > payloadBytes(limit) {
                words.append(word(chunk))
                chunk = []
                limit = maximumLength
            }
            chunk += bytes
        }
        if !chunk.isEmpty {
            words.append(word(chunk))
        }
        return words
    }

    /// How many bytes fit in a word of `length` characters: base64 turns 3 bytes into 4.
    private static func payloadBytes(_ length: Int) -> Int {
        (length - prefix.count - suffix.count) / 4 * 3
    }

    private static func word(_ bytes: [UInt8]) -> String {
        prefix + Base64.encode(bytes) + suffix
    }
}
