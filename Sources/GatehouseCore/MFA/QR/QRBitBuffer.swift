/// The bit stream of a QR symbol's data, most significant bit first, packed into codewords.
struct QRBitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    /// Appends the low `bitCount` bits of `value`, highest first.
    mutating func append(_ value: Int, bitCount: Int) {
        precondition((0...31).contains(bitCount) && value >> bitCount == 0, "value does not fit in \(bitCount) bits")
        for shift in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 {
                bytes[count / 8] |= 0x80 >> UInt8(count % 8)
            }
            count += 1
        }
    }
}
