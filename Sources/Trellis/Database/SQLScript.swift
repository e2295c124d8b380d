import Logging
import PostgresNIO

/// Splits SQL text into statements the way `psql` does: at semicolons outside string literals,
/// quoted identifiers, dollar-quoted bodies, comments, parentheses and the `BEGIN ... END` body of
/// a `CREATE FUNCTION`/`CREATE PROCEDURE ... BEGIN ATOMIC`.
enum SQLScript {
    /// One statement, without its terminating semicolon.
    struct Statement: Sendable, Hashable {
        /// The statement's text, from its first token to its last character before the semicolon.
        var text: String
        /// The 1-based line of the script on which the statement's first token stands.
        var line: Int
        /// The statement's first keyword, uppercased.
        var firstKeyword: String

        /// `true` for statements that start, end or abort a transaction.
        var controlsTransaction: Bool {
            ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"].contains(firstKeyword)
                && !(firstKeyword == "ROLLBACK" && text.uppercased().contains(" TO "))
        }
    }

    /// The statements of `sql`; statements consisting only of whitespace and comments are dropped.
    static func statements(in sql: String) -> [Statement] {
        var scanner = Scanner(bytes: Array(sql.utf8))
        return scanner.run()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var statements: [Statement] = []

        // State of the current statement.
        var start: Int?
        var startLine = 1
        var end = 0
        var words: [String] = []
        var parenDepth = 0
        var beginDepth = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func run() -> [Statement] {
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                    skipLineComment()
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                    skipBlockComment()
                case UInt8(ascii: ";") where parenDepth == 0 && beginDepth == 0:
                    finishStatement()
                    index += 1
                case UInt8(ascii: "\n"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0C:
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    index += 1
                default:
                    markContent()
                    scanToken()
                }
            }
            finishStatement()
            return statements
        }

        private func peek(_ offset: Int) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        private mutating func markContent() {
            if start == nil {
                start = index
                startLine = line
            }
        }

        private mutating func finishStatement() {
            if let start {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                statements.append(Statement(text: text, line: startLine, firstKeyword: words.first ?? ""))
            }
            start = nil
            words = []
            parenDepth = 0
            beginDepth = 0
        }

        /// Advances over one byte, counting lines.
        private mutating func advance() {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }

        private mutating func skipLineComment() {
            while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
        }

        private mutating func skipBlockComment() {
            var depth = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                    depth += 1
                    index += 2
                } else if bytes[index] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                    depth -= 1
                    index += 2
                    if depth == 0 { return }
                } else {
                    advance()
                }
            }
        }

        private static func isIdentifierStart(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_") || byte >= 0x80
        }

        private static func isIdentifierPart(_ byte: UInt8) -> Bool {
            isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "$")
        }

        /// Scans one token that is not whitespace or a comment and records where the statement ends.
        private mutating func scanToken() {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"):
                skipQuoted(UInt8(ascii: "'"), backslashEscapes: false)
            case UInt8(ascii: "\""):
                skipQuoted(UInt8(ascii: "\""), backslashEscapes: false)
            case UInt8(ascii: "$"):
                if let tag = dollarTag() {
                    skipDollarQuoted(tag)
                } else {
                    index += 1
                }
            case UInt8(ascii: "("):
                parenDepth += 1
                index += 1
            case UInt8(ascii: ")"):
                parenDepth = max(0, parenDepth - 1)
                index += 1
            case _ where Self.isIdentifierStart(byte):
                scanWord()
            case _ where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"):
                // A number, possibly followed by letters (1e5): consume it whole so it is not a word.
                while index < bytes.count, Self.isIdentifierPart(bytes[index]) || bytes[index] == UInt8(ascii: ".") { index += 1 }
            default:
                index += 1
            }
            end = index
        }

        private mutating func scanWord() {
            let wordStart = index
            while index < bytes.count, Self.isIdentifierPart(bytes[index]) { index += 1 }
            let word = String(decoding: bytes[wordStart..<index], as: UTF8.self).uppercased()
            // E'...' is a string with backslash escapes.
            if word == "E", index < bytes.count, bytes[index] == UInt8(ascii: "'") {
                skipQuoted(UInt8(ascii: "'"), backslashEscapes: true)
                return
            }
            words.append(word)
            trackBeginAtomic(word)
        }

        /// `CREATE [OR REPLACE] {FUNCTION|PROCEDURE} ... BEGIN ATOMIC ...; ... END`: semicolons inside
        /// the body do not end the statement (psql's heuristic, also counting CASE ... END inside it).
        private mutating func trackBeginAtomic(_ word: String) {
            guard parenDepth == 0, words.first == "CREATE" else { return }
            let second = words.count > 1 ? words[1] : ""
            let isRoutine = ["FUNCTION", "PROCEDURE"].contains(second)
                || (second == "OR" && words.count > 3 && words[2] == "REPLACE" && ["FUNCTION", "PROCEDURE"].contains(words[3]))
            guard isRoutine else { return }
            switch word {
            case "BEGIN": beginDepth += 1
            case "CASE" where beginDepth > 0: beginDepth += 1
            case "END" where beginDepth > 0: beginDepth -= 1
            default: break
            }
        }

        /// Skips a quoted string or identifier starting at `index`; a doubled quote is an escaped quote.
        private mutating func skipQuoted(_ quote: UInt8, backslashEscapes: Bool) {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if backslashEscapes, byte == UInt8(ascii: "\\") {
                    advance()
                    if index < bytes.count { advance() }
                } else if byte == quote {
                    index += 1
                    guard index < bytes.count, bytes[index] == quote else { return }
                    index += 1
                } else {
                    advance()
                }
            }
        }

        /// The dollar-quote tag (`$$` or `$name$`) starting at `index`, unless the `$` continues an
        /// identifier (`a$b`) or starts a parameter (`$1`).
        private func dollarTag() -> ArraySlice<UInt8>? {
            if index > 0, Self.isIdentifierPart(bytes[index - 1]) { return nil }
            var cursor = index + 1
            if cursor < bytes.count, bytes[cursor] != UInt8(ascii: "$") {
                guard Self.isIdentifierStart(bytes[cursor]) else { return nil }
                while cursor < bytes.count, Self.isIdentifierPart(bytes[cursor]), bytes[cursor] != UInt8(ascii: "$") { cursor += 1 }
            }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "$") else { return nil }
            return bytes[index...cursor]
        }

        private mutating func skipDollarQuoted(_ tag: ArraySlice<UInt8>) {
            index += tag.count
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "$"), bytes[index...].starts(with: tag) {
                    index += tag.count
                    return
                }
                advance()
            }
        }
    }
}
