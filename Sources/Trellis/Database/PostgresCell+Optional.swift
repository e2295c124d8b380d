import PostgresNIO

extension PostgresCell {
    /// The cell's value, or nil for SQL NULL: what `decode(T?.self)` answers, decoded through `T`'s
    /// own conformance. `Optional`'s conformance in postgres-nio is not specialized across modules,
    /// so a generated model decoding its nullable columns through it spent a third of its row
    /// decoding time looking up generic metadata.
    @inlinable
    public func decodeIfPresent<T: PostgresDecodable>(_: T.Type, file: String = #fileID, line: Int = #line) throws -> T? {
        guard bytes != nil else { return nil }
        return try decode(T.self, file: file, line: line)
    }
}
