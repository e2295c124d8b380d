/// An item of a template list that prints separators: `comma` (", " after every item but the
/// last) for items on one line, `lineComma` ("," at the end of every line but the last).
protocol Separated {
    var comma: String { get set }
    var lineComma: String { get set }
}

/// `items` with their separators set.
func separated<Item: Separated>(_ items: [Item]) -> [Item] {
    items.enumerated().map { index, item in
        var item = item
        let isLast = index == items.count - 1
        item.comma = isLast ? "" : ", "
        item.lineComma = isLast ? "" : ","
        return item
    }
}
