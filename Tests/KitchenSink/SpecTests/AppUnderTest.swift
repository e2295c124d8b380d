import KitchenSinkAPI
import TrellisTesting

/// The kitchen sink has no hand-written hooks: its generated tests run against the generated API
/// as it is. Everything else in this target is generated from ../specs by `TrellisTestPlugin`.
enum AppUnderTest: SpecTestApp {
    static func api() -> GeneratedAPI { GeneratedAPI() }
}
