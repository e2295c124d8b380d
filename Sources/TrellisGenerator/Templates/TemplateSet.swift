import Foundation
import Mustache

/// The Mustache templates the generator renders: the built-in ones, each replaceable by a file of
/// the same name in a project's `templates/` folder (`templates/model.swift.mustache`).
public struct TemplateSet: Sendable {
    /// Every template name the generator renders.
    public static let names = BuiltinTemplates.all.keys.sorted()

    private let library: MustacheLibrary

    /// The built-in templates, with overrides read from `directory` when it is given and exists.
    public init(overridesIn directory: String? = nil) throws {
        var library = MustacheLibrary()
        for (name, text) in BuiltinTemplates.all {
            var source = text
            if let directory {
                let path = "\(directory)/\(name).mustache"
                if FileManager.default.fileExists(atPath: path) {
                    source = try String(contentsOfFile: path, encoding: .utf8)
                }
            }
            do {
                try library.register(source, named: name)
            } catch {
                throw TemplateError(name: name, message: "cannot parse the template: \(error)")
            }
        }
        self.library = library
    }

    func render(_ name: String, _ context: Any) throws -> String {
        guard let text = library.render(TemplateTree.make(context) ?? context, withTemplate: name) else {
            throw TemplateError(name: name, message: "no such template")
        }
        return text
    }
}

/// A template that is missing or does not parse.
public struct TemplateError: Error, CustomStringConvertible {
    public var name: String
    public var message: String

    public var description: String { "templates/\(name).mustache: error: \(message)" }
}
