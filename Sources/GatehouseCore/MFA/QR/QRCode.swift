/// A QR code (ISO/IEC 18004 Model 2) holding one text, for showing an `otpauth://` URI to
/// an authenticator app during TOTP enrolment.
///
/// The text is encoded as its UTF-8 bytes in byte mode, without an ECI header: authenticator
/// apps read byte mode as UTF-8. The level is M (about 15 % of the codewords recoverable),
/// the version the smallest of 1…40 that holds the text, and the mask the one of the eight
/// with the lowest penalty score.
public struct QRCode: Sendable {
    /// The symbol version, 1…40.
    public let version: Int
    /// Modules per side, `17 + 4 * version`, without the quiet zone.
    public let size: Int
    /// The data mask pattern applied, 0…7.
    public let mask: Int
    private let modules: [Bool]

    /// Encodes `text`; throws ``QRCodeError/tooLong`` past 2,331 UTF-8 bytes, what version
    /// 40 holds at level M.
    public init(encoding text: String) throws(QRCodeError) {
        try self.init(bytes: Array(text.utf8))
    }

    /// Encodes `bytes` with mask `forcedMask`, or when it is nil with the mask of the lowest
    /// penalty (the first of equals).
    init(bytes: [UInt8], forcedMask: Int? = nil) throws(QRCodeError) {
        guard let version = Self.smallestVersion(holding: bytes.count) else { throw .tooLong }
        var unmasked = QRMatrix(version: version)
        unmasked.placeCodewords(Self.codewords(for: bytes, version: version))

        var chosen = (mask: forcedMask ?? 0, matrix: unmasked.masked(forcedMask ?? 0))
        if forcedMask == nil {
            var lowest = chosen.matrix.penalty
            for mask in 1...7 {
                let candidate = unmasked.masked(mask)
                let penalty = candidate.penalty
                if penalty < lowest { (chosen, lowest) = ((mask, candidate), penalty) }
            }
        }
        self.version = version.number
        self.size = version.size
        self.mask = chosen.mask
        self.modules = chosen.matrix.modules
    }

    /// Whether the module in column `x`, row `y` is dark; coordinates outside the symbol are
    /// in the quiet zone, which is light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    // MARK: Encoding

    /// The smallest version whose level-M data capacity holds the mode indicator, the
    /// character count and `byteCount` bytes.
    static func smallestVersion(holding byteCount: Int) -> QRVersion? {
        (1...40).lazy.map(QRVersion.init).first { version in
            byteCount < 1 << version.byteCountBits && 4 + version.byteCountBits + 8 * byteCount <= 8 * version.dataCodewords
        }
    }

    /// The data codewords (7.4): byte mode indicator, count, bytes, terminator, zero bits to
    /// the codeword boundary, then the pad codewords 11101100 and 00010001 in turn.
    static func dataCodewords(for bytes: [UInt8], version: QRVersion) -> [UInt8] {
        let capacity = 8 * version.dataCodewords
        var buffer = QRBitBuffer()
        buffer.append(0b0100, bitCount: 4)
        buffer.append(bytes.count, bitCount: version.byteCountBits)
        for byte in bytes { buffer.append(Int(byte), bitCount: 8) }
        precondition(buffer.count <= capacity)
        buffer.append(0, bitCount: min(4, capacity - buffer.count))
        buffer.append(0, bitCount: (8 - buffer.count % 8) % 8)
        var codewords = buffer.bytes
        for index in 0..<(version.dataCodewords - codewords.count) {
            codewords.append(index % 2 == 0 ? 0xEC : 0x11)
        }
        return codewords
    }

    /// The final message (7.6): data split into the version's blocks, each block's
    /// Reed–Solomon codewords added, then data and error correction each interleaved
    /// column by column across the blocks.
    static func codewords(for bytes: [UInt8], version: QRVersion) -> [UInt8] {
        let data = dataCodewords(for: bytes, version: version)
        let encoder = ReedSolomonEncoder(degree: version.errorCorrectionCodewordsPerBlock)
        var dataBlocks: [ArraySlice<UInt8>] = []
        var offset = 0
        for group in version.groups {
            for _ in 0..<group.blockCount {
                dataBlocks.append(data[offset..<(offset + group.dataCodewordsPerBlock)])
                offset += group.dataCodewordsPerBlock
            }
        }
        let errorBlocks = dataBlocks.map { encoder.errorCorrection(for: Array($0)) }

        var message: [UInt8] = []
        message.reserveCapacity(version.totalCodewords)
        let longest = dataBlocks.map(\.count).max() ?? 0
        for column in 0..<longest {
            for block in dataBlocks where column < block.count {
                message.append(block[block.startIndex + column])
            }
        }
        for column in 0..<version.errorCorrectionCodewordsPerBlock {
            for block in errorBlocks { message.append(block[column]) }
        }
        return message
    }
}
