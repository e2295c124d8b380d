import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// `{"data": <value>}` with the given status.
    public static func data(_ value: some JSONWritable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(512)
        buffer.writeStaticString(#"{"data":"#)
        value.writeJSON(into: &buffer)
        buffer.writeStaticString("}")
        return json(buffer, status: status, headers: headers)
    }

    /// `{"data": <value>}` carrying credentials (tokens, a new API key's secret), marked
    /// `Cache-Control: no-store` by the route itself (RFC 6749 §5.1): no cache keeps it, and
    /// ``IdempotencyMiddleware`` does not store it for replay either.
    public static func credentials(_ value: some JSONWritable, status: HTTPResponse.Status = .ok) -> Response {
        data(value, status: status, headers: [.cacheControl: "no-store"])
    }

    /// `{"data": [...], "meta": {"has_more": ..., "next_cursor": ..., "limit": ...}}`.
    public static func list<Item: JSONWritable>(_ page: Page<Item>) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(256 + page.items.count * 256)
        buffer.writeStaticString(#"{"data":["#)
        for (index, item) in page.items.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            item.writeJSON(into: &buffer)
        }
        buffer.writeStaticString(#"],"meta":{"has_more":"#)
        buffer.writeStaticString(page.hasMore ? "true" : "false")
        if let number = page.number {
            buffer.writeStaticString(#","page":"#)
            buffer.writeString(String(number))
            buffer.writeStaticString(#","per_page":"#)
            buffer.writeString(String(page.limit))
            buffer.writeStaticString(#","total":"#)
            buffer.writeString(String(page.total ?? 0))
            buffer.writeStaticString("}}")
            return json(buffer)
        }
        buffer.writeStaticString(#","next_cursor":"#)
        if let cursor = page.nextCursor {
            buffer.writeJSONString(cursor.encoded)
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(#","limit":"#)
        buffer.writeString(String(page.limit))
        if let total = page.total {
            buffer.writeStaticString(#","total":"#)
            buffer.writeString(String(total))
        }
        buffer.writeStaticString("}}")
        return json(buffer)
    }

    /// A JSON body as is.
    public static func json(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }
}
