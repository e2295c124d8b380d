/// Name conversions shared by validation and code generation.
public enum Naming {
    /// `ProjectMember` -> `project_member`; `dueOn` -> `due_on`.
    public static func snakeCase(_ name: String) -> String {
        var result = ""
        var previousWasLowerOrDigit = false
        for character in name {
            if character.isUppercase {
                if previousWasLowerOrDigit { result.append("_") }
                result.append(contentsOf: character.lowercased())
                previousWasLowerOrDigit = false
            } else if character == "-" || character == " " {
                result.append("_")
                previousWasLowerOrDigit = false
            } else {
                result.append(character)
                previousWasLowerOrDigit = character.isLowercase || character.isNumber
            }
        }
        return result
    }

    /// `due_on` -> `dueOn`.
    public static func camelCase(_ snake: String) -> String {
        let parts = snake.split(separator: "_")
        guard let first = parts.first else { return snake }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `due_on` -> `DueOn`.
    public static func pascalCase(_ snake: String) -> String {
        snake.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `project_members` -> `project-members`.
    public static func kebabCase(_ snake: String) -> String {
        snake.replacingOccurrences(of: "_", with: "-")
    }

    /// English plural for table and path names: `task` -> `tasks`, `category` -> `categories`.
    public static func plural(_ word: String) -> String {
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        if word.hasSuffix("y"), let beforeLast = word.dropLast().last, !vowels.contains(beforeLast) {
            return word.dropLast() + "ies"
        }
        for suffix in ["s", "x", "z", "ch", "sh"] where word.hasSuffix(suffix) {
            return word + "es"
        }
        return word + "s"
    }

    public static func isSnakeCase(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            && !name.hasSuffix("_") && !name.contains("__")
    }

    public static func isPascalCase(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
