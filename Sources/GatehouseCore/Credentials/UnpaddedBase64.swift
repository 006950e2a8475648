/// Strict decoding of the unpadded base64 found in PHC-style hash strings.
///
/// Strict because a hash string is compared bit for bit: padding, stray characters and
/// non-zero bits after the last byte are all refused, so one stored hash has exactly one
/// spelling and a changed character can never decode to the same bytes.
enum UnpaddedBase64 {
    /// The two alphabets in use. They differ only in the character for 62.
    enum Alphabet {
        /// RFC 4648 base64 (`+` and `/`), as PHC strings and Keycloak use it.
        case standard
        /// passlib's "adapted base64" (`.` and `/`), which keeps `+` out of its hash strings.
        case passlibAdapted

        fileprivate var sixtyTwo: UInt8 {
            switch self {
            case .standard: UInt8(ascii: "+")
            case .passlibAdapted: UInt8(ascii: ".")
            }
        }
    }

    /// The bytes `text` encodes, or nil when it is not canonical unpadded base64 in `alphabet`.
    static func decode(_ text: some StringProtocol, alphabet: Alphabet) -> [UInt8]? {
        let characters = text.utf8
        // One character left over carries six bits, not enough for a byte: never canonical.
        guard characters.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count * 3 / 4)
        var pending: UInt32 = 0
        var pendingBits = 0
        for character in characters {
            guard let sextet = value(of: character, in: alphabet) else { return nil }
            pending = pending << 6 | UInt32(sextet)
            pendingBits += 6
            if pendingBits >= 8 {
                pendingBits -= 8
                bytes.append(UInt8(truncatingIfNeeded: pending >> UInt32(pendingBits)))
                pending &= (1 << UInt32(pendingBits)) - 1
            }
        }
        // The bits after the last whole byte must be zero, or two strings decode alike.
        guard pending == 0 else { return nil }
        return bytes
    }

    private static func value(of character: UInt8, in alphabet: Alphabet) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case alphabet.sixtyTwo: 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
