/// Reads the numeric fields of PHC-style hash strings: a parameter list such as
/// `ln=10,r=8,p=1`, or a bare decimal such as passlib's PBKDF2 round count.
///
/// Only the canonical spelling is read (keys in the expected order, no repeats, no signs,
/// no leading zeros, no spaces), so a stored hash cannot carry the same parameters in
/// several spellings, and absurd numbers stop at the parser instead of overflowing.
enum PHCParameterList {
    /// The values of `keys`, in that order, or nil when `text` is not exactly
    /// `key1=n1,key2=n2,…` with those keys.
    static func values(_ text: some StringProtocol, keys: [String]) -> [Int]? {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == keys.count else { return nil }
        var values: [Int] = []
        for (field, key) in zip(fields, keys) {
            guard field.hasPrefix(key + "="), let value = decimal(field.dropFirst(key.count + 1)) else {
                return nil
            }
            values.append(value)
        }
        return values
    }

    /// A non-negative decimal without sign or leading zeros, at most nine digits so that
    /// it fits comfortably in an `Int` and in the `UInt32` that C libraries take.
    static func decimal(_ text: some StringProtocol) -> Int? {
        let digits = text.utf8
        guard (1...9).contains(digits.count),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              digits.count == 1 || digits.first != UInt8(ascii: "0")
        else { return nil }
        return Int(String(text))
    }
}
