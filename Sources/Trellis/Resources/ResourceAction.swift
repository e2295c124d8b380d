/// An action a generated resource exposes. A spec's `permissions` name the roles allowed each;
/// an API key needs the resource's read scope (`read:tasks`) for ``isRead`` actions and its write
/// scope (`write:tasks`) for the others.
public enum ResourceAction: String, Sendable, Hashable, CaseIterable {
    case list
    case read
    case create
    case update
    case delete
    case restore

    /// `list` and `read`: the actions an API key's read scope covers.
    public var isRead: Bool { self == .list || self == .read }
}
