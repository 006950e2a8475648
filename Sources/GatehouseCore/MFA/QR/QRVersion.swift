/// What ISO/IEC 18004 fixes for one symbol version (1…40) at error-correction level M:
/// its size, the block structure of its codewords and where its alignment patterns sit.
struct QRVersion: Sendable {
    /// One group of equally long blocks (the spec's group 1 and group 2).
    struct BlockGroup: Sendable {
        let blockCount: Int
        let dataCodewordsPerBlock: Int
    }

    let number: Int
    let errorCorrectionCodewordsPerBlock: Int
    /// Group 1, then group 2 when the version has one (its blocks are one codeword longer).
    let groups: [BlockGroup]

    init(_ number: Int) {
        precondition((1...40).contains(number), "QR versions run from 1 to 40")
        let row = Self.levelM[number - 1]
        self.number = number
        errorCorrectionCodewordsPerBlock = row.ec
        groups = [BlockGroup(blockCount: row.blocks1, dataCodewordsPerBlock: row.data1)]
            + (row.blocks2 > 0 ? [BlockGroup(blockCount: row.blocks2, dataCodewordsPerBlock: row.data1 + 1)] : [])
    }

    /// Modules per side.
    var size: Int { 17 + 4 * number }

    var dataCodewords: Int { groups.reduce(0) { $0 + $1.blockCount * $1.dataCodewordsPerBlock } }

    var totalCodewords: Int {
        groups.reduce(0) { $0 + $1.blockCount * ($1.dataCodewordsPerBlock + errorCorrectionCodewordsPerBlock) }
    }

    /// Width of the byte mode's character count indicator (Table 3).
    var byteCountBits: Int { number <= 9 ? 8 : 16 }

    /// Row and column coordinates of alignment pattern centres (Annex E); every pairing is a
    /// centre except the three that would overlap the finder patterns.
    var alignmentCenters: [Int] { Self.alignmentCenters[number - 1] }

    // Table 9, level M: error-correction codewords per block, then (blocks × data codewords)
    // of group 1 and the number of blocks in group 2, each one data codeword longer.
    private static let levelM: [(ec: Int, blocks1: Int, data1: Int, blocks2: Int)] = [
        (10, 1, 16, 0), (16, 1, 28, 0), (26, 1, 44, 0), (18, 2, 32, 0), (24, 2, 43, 0),
        (16, 4, 27, 0), (18, 4, 31, 0), (22, 2, 38, 2), (22, 3, 36, 2), (26, 4, 43, 1),
        (30, 1, 50, 4), (22, 6, 36, 2), (22, 8, 37, 1), (24, 4, 40, 5), (24, 5, 41, 5),
        (28, 7, 45, 3), (28, 10, 46, 1), (26, 9, 43, 4), (26, 3, 44, 11), (26, 3, 41, 13),
        (26, 17, 42, 0), (28, 17, 46, 0), (28, 4, 47, 14), (28, 6, 45, 14), (28, 8, 47, 13),
        (28, 19, 46, 4), (28, 22, 45, 3), (28, 3, 45, 23), (28, 21, 45, 7), (28, 19, 47, 10),
        (28, 2, 46, 29), (28, 10, 46, 23), (28, 14, 46, 21), (28, 14, 46, 23), (28, 12, 47, 26),
        (28, 6, 47, 34), (28, 29, 46, 14), (28, 13, 46, 32), (28, 40, 47, 7), (28, 18, 47, 31),
    ]

    private static let alignmentCenters: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34],
        [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50], [6, 30, 54], [6, 32, 58], [6, 34, 62],
        [6, 26, 46, 66], [6, 26, 48, 70], [6, 26, 50, 74], [6, 30, 54, 78], [6, 30, 56, 82],
        [6, 30, 58, 86], [6, 34, 62, 90],
        [6, 28, 50, 72, 94], [6, 26, 50, 74, 98], [6, 30, 54, 78, 102], [6, 28, 54, 80, 106],
        [6, 32, 58, 84, 110], [6, 30, 58, 86, 114], [6, 34, 62, 90, 118],
        [6, 26, 50, 74, 98, 122], [6, 30, 54, 78, 102, 126], [6, 26, 52, 78, 104, 130],
        [6, 30, 56, 82, 108, 134], [6, 34, 60, 86, 112, 138], [6, 30, 58, 86, 114, 142],
        [6, 34, 62, 90, 118, 146],
        [6, 30, 54, 78, 102, 126, 150], [6, 24, 50, 76, 102, 128, 154], [6, 28, 54, 80, 106, 132, 158],
        [6, 32, 58, 84, 110, 136, 162], [6, 26, 54, 82, 110, 138, 166], [6, 30, 58, 86, 114, 142, 170],
    ]
}
