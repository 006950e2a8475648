extension QRMatrix {
    /// The mask penalty score of the finished symbol (ISO/IEC 18004, 7.8.3, Table 11):
    /// N1 = 3 for runs of five like modules in a row or column, plus 1 per extra module;
    /// N2 = 3 per 2×2 block of one colour (overlapping blocks each count);
    /// N3 = 40 per 1:1:3:1:1 finder-like pattern with four light modules before or after it,
    /// the area around the symbol counting as light (it is the quiet zone);
    /// N4 = 10 per full 5 % that the share of dark modules deviates from 50 %.
    var penalty: Int {
        var score = 0
        for index in 0..<size {
            let row = (0..<size).map { self[$0, index] }
            let column = (0..<size).map { self[index, $0] }
            score += Self.runPenalty(row) + Self.finderLikePenalty(row)
            score += Self.runPenalty(column) + Self.finderLikePenalty(column)
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = self[x, y]
                if self[x + 1, y] == colour && self[x, y + 1] == colour && self[x + 1, y + 1] == colour {
                    score += 3
                }
            }
        }
        let dark = modules.count { $0 }
        let total = size * size
        // ⌊|dark/total − 1/2| · 20⌋ in integers.
        score += 10 * (abs(20 * dark - 10 * total) / total)
        return score
    }

    private static func runPenalty(_ line: [Bool]) -> Int {
        var score = 0
        var runStart = 0
        for index in 1...line.count {
            if index == line.count || line[index] != line[runStart] {
                let length = index - runStart
                if length >= 5 { score += 3 + (length - 5) }
                runStart = index
            }
        }
        return score
    }

    /// N3's 1:1:3:1:1 pattern: dark, light, three dark, light, dark.
    private static let finderLike: [Bool] = [true, false, true, true, true, false, true]

    /// 40 for each finder-like pattern in `line` with four light modules before or after it.
    private static func finderLikePenalty(_ line: [Bool]) -> Int {
        func isLight(_ range: Range<Int>) -> Bool {
            range.clamped(to: 0..<line.count).allSatisfy { !line[$0] }
        }
        var score = 0
        for start in 0...(line.count - 7) where line[start..<(start + 7)].elementsEqual(finderLike) {
            if isLight((start - 4)..<start) || isLight((start + 7)..<(start + 11)) { score += 40 }
        }
        return score
    }
}
