/// Splits text into sentences so synthesis can start speaking before the whole reply is made.
enum Sentences {
    /// One sentence and its offset, in Unicode scalars, in the text it came from.
    struct Sentence: Sendable, Equatable {
        var text: String
        var offset: Int
    }

    /// Sentences ending in `.`, `!`, `?` or a line break followed by whitespace; blank pieces dropped.
    static func split(_ text: String) -> [Sentence] {
        let scalars = Array(text.unicodeScalars)
        var sentences: [Sentence] = []
        var start = 0
        func emit(_ end: Int) {
            var lower = start
            var upper = end
            while lower < upper, scalars[lower].properties.isWhitespace { lower += 1 }
            while upper > lower, scalars[upper - 1].properties.isWhitespace { upper -= 1 }
            if lower < upper {
                var piece = String.UnicodeScalarView()
                piece.append(contentsOf: scalars[lower..<upper])
                sentences.append(Sentence(text: String(piece), offset: lower))
            }
            start = end
        }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if scalar == "\n" || (".!?".unicodeScalars.contains(scalar) && (next.map { $0.properties.isWhitespace } ?? true)) {
                emit(index + 1)
            }
            index += 1
        }
        emit(scalars.count)
        return sentences
    }
}
