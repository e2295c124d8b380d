/// The formats a spec can require of a string field (`format: email | url | slug`): the
/// generator describes them in the OpenAPI document, the runtime checks them.
public enum StringFormat: String, Sendable, Hashable, CaseIterable {
    case email
    case url
    case slug
}
