/// A QR symbol's modules under construction: function patterns first, then the data, a mask
/// and the format information (ISO/IEC 18004, 6.3 and 7.7–7.10). `x` is the column, `y` the row.
struct QRMatrix {
    let size: Int
    private(set) var modules: [Bool]
    /// Modules of function patterns and of the format and version information, which data
    /// placement skips and masking leaves alone.
    private var reserved: [Bool]

    /// A matrix of `version`'s size with every function pattern and the version information
    /// drawn, and the format information's modules reserved.
    init(version: QRVersion) {
        size = version.size
        modules = Array(repeating: false, count: size * size)
        reserved = Array(repeating: false, count: size * size)
        drawTimingPatterns()
        drawFinderPatterns()
        drawAlignmentPatterns(centers: version.alignmentCenters)
        // The format information is written once the mask is known; reserve its place now.
        drawFormatInformation(0)
        set(x: 8, y: size - 8, dark: true)   // the dark module
        if version.number >= 7 { drawVersionInformation(version.number) }
    }

    subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// The number of modules left for codewords and remainder bits.
    var dataModuleCount: Int { reserved.count { !$0 } }

    // MARK: Function patterns

    private mutating func set(x: Int, y: Int, dark: Bool) {
        modules[y * size + x] = dark
        reserved[y * size + x] = true
    }

    private mutating func drawTimingPatterns() {
        // Drawn across the whole row and column; the finder patterns then overwrite the ends.
        for i in 0..<size {
            set(x: i, y: 6, dark: i % 2 == 0)
            set(x: 6, y: i, dark: i % 2 == 0)
        }
    }

    private mutating func drawFinderPatterns() {
        for (left, top) in [(0, 0), (size - 7, 0), (0, size - 7)] {
            // 7×7 rings around the centre (dark 3×3, light, dark), with the light separator
            // as the fifth ring where it falls inside the symbol.
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = left + 3 + dx, y = top + 3 + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let ring = max(abs(dx), abs(dy))
                    set(x: x, y: y, dark: ring != 2 && ring != 4)
                }
            }
        }
    }

    private mutating func drawAlignmentPatterns(centers: [Int]) {
        guard let first = centers.first, let last = centers.last else { return }
        for cy in centers {
            for cx in centers {
                // Three corners belong to the finder patterns.
                if (cx == first && cy == first) || (cx == first && cy == last) || (cx == last && cy == first) {
                    continue
                }
                for dy in -2...2 {
                    for dx in -2...2 {
                        set(x: cx + dx, y: cy + dy, dark: max(abs(dx), abs(dy)) != 1)
                    }
                }
            }
        }
    }

    /// Writes the 15-bit format information (level and mask, BCH-protected) in both copies.
    private mutating func drawFormatInformation(_ bits: Int) {
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        // Around the top-left finder: bits 0–7 down column 8 from the top edge (skipping the
        // timing row), bits 8–14 leftwards along row 8 (skipping the timing column).
        for index in 0..<6 { set(x: 8, y: index, dark: bit(index)) }
        set(x: 8, y: 7, dark: bit(6))
        set(x: 8, y: 8, dark: bit(7))
        set(x: 7, y: 8, dark: bit(8))
        for index in 9..<15 { set(x: 14 - index, y: 8, dark: bit(index)) }
        // The second copy: bits 0–7 leftwards along row 8 from the right edge, bits 8–14 down
        // column 8 beside the bottom-left finder, ending at the bottom edge.
        for index in 0..<8 { set(x: size - 1 - index, y: 8, dark: bit(index)) }
        for index in 8..<15 { set(x: 8, y: size - 15 + index, dark: bit(index)) }
    }

    /// Writes the 18-bit version information in its two 6×3 blocks (versions 7 and up).
    private mutating func drawVersionInformation(_ version: Int) {
        let bits = QRFormat.versionInformation(version)
        for index in 0..<18 {
            let dark = (bits >> index) & 1 == 1
            let along = index / 3, across = size - 11 + index % 3
            set(x: across, y: along, dark: dark)   // left of the top-right finder
            set(x: along, y: across, dark: dark)   // above the bottom-left finder
        }
    }

    // MARK: Data

    /// Places the codewords' bits in the two-module-wide zigzag from the bottom-right corner
    /// (7.7.3); modules left over are the remainder bits, which stay 0 (light).
    mutating func placeCodewords(_ codewords: [UInt8]) {
        let bitCount = codewords.count * 8
        var bitIndex = 0
        var upward = true
        var right = size - 1
        while right > 0 {
            if right == 6 { right = 5 }   // the vertical timing pattern takes a whole column
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !reserved[y * size + x] {
                    if bitIndex < bitCount {
                        modules[y * size + x] = (codewords[bitIndex / 8] >> UInt8(7 - bitIndex % 8)) & 1 == 1
                        bitIndex += 1
                    }
                }
            }
            upward.toggle()
            right -= 2
        }
        precondition(bitIndex == bitCount, "codewords do not fill the symbol")
    }

    /// This matrix with data mask `mask` applied and the format information telling it.
    func masked(_ mask: Int) -> QRMatrix {
        var matrix = self
        matrix.applyMask(mask)
        matrix.drawFormatInformation(QRFormat.formatInformation(mask: mask))
        return matrix
    }

    /// Inverts every data module where mask pattern `mask` (0…7, Table 10) holds.
    private mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !reserved[y * size + x] && Self.maskCondition(mask, x: x, y: y) {
                modules[y * size + x].toggle()
            }
        }
    }

    /// Table 10's conditions, with i the row and j the column.
    private static func maskCondition(_ mask: Int, x j: Int, y i: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        case 7: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        default: preconditionFailure("mask patterns run from 0 to 7")
        }
    }
}
