/// Who the emails come from, as their layout shows it.
public struct MailBranding: Sendable, Hashable {
    /// The product's name (the header of each email, the subjects).
    public var productName: String
    /// Where people write with questions (shown in each email's footer), if anywhere.
    public var supportAddress: String?

    /// Branding for `productName`, with `supportAddress` in the footers.
    public init(productName: String, supportAddress: String? = nil) {
        self.productName = productName
        self.supportAddress = supportAddress
    }
}
