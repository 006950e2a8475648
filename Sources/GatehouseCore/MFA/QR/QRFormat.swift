/// The BCH-protected format and version information (ISO/IEC 18004, 7.9 and 7.10).
enum QRFormat {
    /// Error-correction level M's two format bits.
    static let levelMBits = 0b00

    /// 15 bits: level M and `mask`, a (15, 5) BCH code over them, XORed with 101010000010010
    /// so that no combination gives all-light format information.
    static func formatInformation(mask: Int) -> Int {
        precondition((0...7).contains(mask))
        let data = levelMBits << 3 | mask
        return (data << 10 | bchRemainder(of: data, generator: 0b101_0011_0111, degree: 10)) ^ 0b101_0100_0001_0010
    }

    /// 18 bits: the version number and an (18, 6) BCH code over it.
    static func versionInformation(_ version: Int) -> Int {
        precondition((7...40).contains(version))
        return version << 12 | bchRemainder(of: version, generator: 0b1_1111_0010_0101, degree: 12)
    }

    /// The remainder of value·x^degree divided by `generator` (of that degree), over GF(2).
    static func bchRemainder(of value: Int, generator: Int, degree: Int) -> Int {
        var remainder = value << degree
        var bit = Int.bitWidth - 1 - remainder.leadingZeroBitCount
        while bit >= degree {
            if (remainder >> bit) & 1 == 1 { remainder ^= generator << (bit - degree) }
            bit -= 1
        }
        return remainder
    }
}
