/// Computes the Reed–Solomon error-correction codewords of one QR block.
///
/// The generator polynomial of degree n is (x − α⁰)(x − α¹)…(x − αⁿ⁻¹); the error-correction
/// codewords are the remainder of data(x)·xⁿ divided by it (ISO/IEC 18004, 7.5.2).
struct ReedSolomonEncoder {
    /// The generator's coefficients, highest degree first, without the leading 1.
    let generator: [UInt8]

    init(degree: Int) {
        precondition(degree > 0 && degree < 255)
        // Coefficients highest degree first; start from the constant polynomial 1.
        var polynomial: [UInt8] = [1]
        for power in 0..<degree {
            let root = GaloisField256.exponents[power]
            // Multiply by (x + root): subtraction is addition (XOR) in GF(2⁸).
            var product = polynomial + [0]
            for index in 1..<product.count {
                product[index] ^= GaloisField256.multiply(polynomial[index - 1], root)
            }
            polynomial = product
        }
        generator = Array(polynomial.dropFirst())
    }

    /// The `generator.count` error-correction codewords for `data`.
    func errorCorrection(for data: [UInt8]) -> [UInt8] {
        // Long division, one data codeword at a time, keeping only the running remainder.
        var remainder = [UInt8](repeating: 0, count: generator.count)
        for codeword in data {
            let factor = codeword ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in remainder.indices {
                remainder[index] ^= GaloisField256.multiply(generator[index], factor)
            }
        }
        return remainder
    }
}
