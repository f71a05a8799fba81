extension String {
    /// The text without white space or line ends at either end. Checks the ASCII case first:
    /// an import trims every cell of every row, and Foundation's `trimmingCharacters` bridges
    /// each one through `NSString`.
    var trimmed: String {
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last else { return self }
        if first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        var view = self[...].drop(while: \.isWhitespace)
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}
