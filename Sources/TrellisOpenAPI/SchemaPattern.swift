/// Regular expressions the document's string schemas share.
package enum SchemaPattern {
    /// Any text without a NUL character, which PostgreSQL cannot store in text: the API refuses it
    /// with 422.
    package static let noNUL = "^[^\\u0000]*$"
}
