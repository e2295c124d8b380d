import Foundation

/// A folder of generated files that the generator owns: it writes a file only when its bytes
/// change and removes files it no longer produces.
public struct ArtifactDirectory: Sendable {
    public let root: String
    /// Subfolders whose every file the generator owns (stale ones are removed).
    public let ownedFolders: [String]

    public init(root: String, ownedFolders: [String]) {
        self.root = root
        self.ownedFolders = ownedFolders
    }

    public enum Difference: CustomStringConvertible, Sendable, Equatable {
        case missing(String)
        case stale(String)
        case extra(String)

        public var description: String {
            switch self {
            case .missing(let path): "missing: \(path)"
            case .stale(let path): "stale:   \(path)"
            case .extra(let path): "extra:   \(path)"
            }
        }
    }

    public func differences(from files: [GeneratedFile]) -> [Difference] {
        var result: [Difference] = []
        for file in files {
            let path = "\(root)/\(file.path)"
            guard let data = FileManager.default.contents(atPath: path) else {
                result.append(.missing(path))
                continue
            }
            if data != Data(file.contents.utf8) { result.append(.stale(path)) }
        }
        let expected = Set(files.map { "\(root)/\($0.path)" })
        for path in existingOwnedFiles() where !expected.contains(path) {
            result.append(.extra(path))
        }
        return result
    }

    /// Writes what changed and removes what is no longer produced; returns the paths touched.
    @discardableResult
    public func write(_ files: [GeneratedFile]) throws -> [String] {
        var touched: [String] = []
        for file in files {
            let path = "\(root)/\(file.path)"
            let data = Data(file.contents.utf8)
            if FileManager.default.contents(atPath: path) == data { continue }
            let folder = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            touched.append(path)
        }
        let expected = Set(files.map { "\(root)/\($0.path)" })
        for path in existingOwnedFiles() where !expected.contains(path) {
            try FileManager.default.removeItem(atPath: path)
            touched.append(path)
        }
        return touched
    }

    private func existingOwnedFiles() -> [String] {
        ownedFolders.flatMap { folder -> [String] in
            let path = folder.isEmpty ? root : "\(root)/\(folder)"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.map { "\(path)/\($0)" }
        }
    }
}
