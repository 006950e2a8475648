extension QRCode {
    /// The symbol as a standalone SVG document: a white background, one `<path>` of the
    /// dark modules (each horizontal run one rectangle) inside a four-module quiet zone, in
    /// a `viewBox` measured in modules and `pixelsPerModule` pixels per module wide.
    /// `title` names the image for screen readers.
    public func svg(pixelsPerModule: Int = 4, title: String = "QR code") -> String {
        precondition(pixelsPerModule > 0, "pixelsPerModule must be positive")
        let quietZone = 4
        let side = size + 2 * quietZone
        let pixels = side * pixelsPerModule

        // Each run is a closed rectangle; after `z` the pen is back at the run's start, so
        // the next run starts with a short relative move from there.
        var path = ""
        var pen: (x: Int, y: Int)?
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else { x += 1; continue }
                var end = x + 1
                while end < size && isDark(x: end, y: y) { end += 1 }
                let start = (x: x + quietZone, y: y + quietZone)
                if let last = pen {
                    path += "m\(start.x - last.x) \(start.y - last.y)"
                } else {
                    path += "M\(start.x) \(start.y)"
                }
                path += "h\(end - x)v1h-\(end - x)z"
                pen = start
                x = end
            }
        }

        return """
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" role="img" \
            width="\(pixels)" height="\(pixels)" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <title>\(Self.xmlEscaped(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/>\
            </svg>

            """
    }

    /// `text` as XML character data; characters XML 1.0 cannot carry (most C0 controls,
    /// U+FFFE, U+FFFF) are left out.
    private static func xmlEscaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
