import Hummingbird

extension Request {
    /// Fails with 422 when the query names a parameter outside `accepted`, listing every unknown
    /// one: `details: {"status": ["is not a known query parameter"]}`. A parameter that a route
    /// silently ignored would let a client believe it had filtered or sorted.
    ///
    /// Every route under `/api/v1` calls it, accepting only the parameters it documents (none for
    /// most; a list reads its own through ``ListRequest``, a read accepts `include`).
    public func rejectUnknownQueryParameters(accepting accepted: Set<String> = []) throws(APIError) {
        var details: [String: [String]] = [:]
        // A bare `&` (an empty name and value) carries nothing; `=x` does.
        for (name, value) in uri.queryParameters where !(name.isEmpty && value.isEmpty) && !accepted.contains(String(name)) {
            details[String(name)] = ["is not a known query parameter"]
        }
        if !details.isEmpty { throw APIError.validation(details) }
    }
}
