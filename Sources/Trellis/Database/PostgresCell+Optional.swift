import PostgresNIO

extension PostgresCell {
    /// The cell's value, or nil for SQL NULL: what `decode(T?.self)` answers, decoded through `T`'s
    /// own conformance. `Optional`'s conformance in postgres-nio is not specialized across modules,
    /// so generated models skip it for their nullable columns (row decoding of a list page went
    /// from 9.8% to 8.4% of the server's samples; most of the rest is postgres-nio's own decoding).
    @inlinable
    public func decodeIfPresent<T: PostgresDecodable>(_: T.Type, file: String = #fileID, line: Int = #line) throws -> T? {
        guard bytes != nil else { return nil }
        return try decode(T.self, file: file, line: line)
    }
}
