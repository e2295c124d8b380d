/// A strict RFC 8259 syntax check that finds the first error, iterative so that deep nesting
/// cannot overflow the stack. It does not validate UTF-8 (Foundation does).
///
/// A member name that repeats an earlier one of the same object is an error too: Foundation's
/// decoder would keep one of the two values and drop the other without a word. Names are compared
/// as the strings they stand for (see ``JSONMemberName``).
struct JSONSyntaxChecker {
    /// The first problem in the text.
    enum Failure: Equatable {
        /// Not JSON: the offending byte's offset.
        case syntax(offset: Int)
        /// An object has two members named `name`: the offset of the second name's opening quote.
        case duplicateName(offset: Int, name: String)
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// The objects we are in, innermost last, each as the offset of its `{`.
    private var objects: [Int] = []
    /// The names of the members read so far, of every object.
    private var names = Set<JSONMemberName>()
    /// Set when the check stopped at a name it had seen before in the same object.
    private var duplicate: JSONMemberName?

    /// The first problem, or nil if `bytes` is exactly one JSON value, without duplicate names.
    static func firstFailure(in bytes: UnsafeBufferPointer<UInt8>) -> Failure? {
        var checker = JSONSyntaxChecker(bytes: bytes)
        if checker.check() { return nil }
        if let duplicate = checker.duplicate { return .duplicateName(offset: checker.index, name: duplicate.string) }
        return .syntax(offset: checker.index)
    }

    private var current: UInt8 { index < bytes.count ? bytes[index] : 0 }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Checks the whole text; on failure `index` is at the offending byte.
    private mutating func check() -> Bool {
        var open: [UInt8] = []  // the containers we are in: `[` or `{`
        while true {
            // A value is expected here.
            skipWhitespace()
            switch current {
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if current == UInt8(ascii: "]") {
                    index += 1
                } else {
                    open.append(UInt8(ascii: "["))
                    continue
                }
            case UInt8(ascii: "{"):
                let start = index
                index += 1
                skipWhitespace()
                if current == UInt8(ascii: "}") {
                    index += 1
                } else {
                    open.append(UInt8(ascii: "{"))
                    objects.append(start)
                    guard member() else { return false }
                    continue
                }
            case UInt8(ascii: "\""):
                guard string() else { return false }
            case UInt8(ascii: "t"):
                guard literal("true") else { return false }
            case UInt8(ascii: "f"):
                guard literal("false") else { return false }
            case UInt8(ascii: "n"):
                guard literal("null") else { return false }
            default:
                guard number() else { return false }
            }
            // After a complete value: close containers, or go on after a comma.
            while true {
                skipWhitespace()
                guard let container = open.last else { return index == bytes.count }
                if current == UInt8(ascii: ",") {
                    index += 1
                    if container == UInt8(ascii: "{") {
                        skipWhitespace()
                        guard member() else { return false }
                    }
                    break
                }
                guard current == container + 2 else { return false }  // `]` is `[` + 2, `}` is `{` + 2
                index += 1
                open.removeLast()
                if container == UInt8(ascii: "{") { objects.removeLast() }
            }
        }
    }

    /// `"key" :`, leaving `index` where the value starts; fails at the key's opening quote when
    /// the innermost object already has a member of that name.
    private mutating func member() -> Bool {
        let start = index
        guard current == UInt8(ascii: "\""), string(), let object = objects.last else { return false }
        let name = JSONMemberName(object: object, text: UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(index - 1)]))
        guard names.insert(name).inserted else {
            duplicate = name
            index = start
            return false
        }
        skipWhitespace()
        guard current == UInt8(ascii: ":") else { return false }
        index += 1
        return true
    }

    private mutating func string() -> Bool {
        index += 1  // the opening quote
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"):
                index += 1
                switch current {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    for _ in 0..<4 {
                        guard current.isHexDigit else { return false }
                        index += 1
                    }
                default:
                    return false
                }
            case 0..<0x20:
                return false
            default:
                index += 1
            }
        }
        return false
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        for byte in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard current == byte else { return false }
            index += 1
        }
        return true
    }

    private mutating func number() -> Bool {
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() else { return false }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() else { return false }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() else { return false }
        }
        return true
    }

    /// One or more decimal digits.
    private mutating func digits() -> Bool {
        guard current.isDecimalDigit else { return false }
        while current.isDecimalDigit { index += 1 }
        return true
    }
}

extension UInt8 {
    fileprivate var isDecimalDigit: Bool { self &- UInt8(ascii: "0") < 10 }
    fileprivate var isHexDigit: Bool { isDecimalDigit || (self | 0x20) &- UInt8(ascii: "a") < 6 }
}
