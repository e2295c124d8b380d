import App
import AppAPI
import TrellisTesting

/// The app the generated spec tests run against: the generated API with the example app's hooks.
/// Everything else in this target is generated from specs/ by `TrellisTestPlugin`.
enum AppUnderTest: SpecTestApp {
    static func api() -> GeneratedAPI { App.api() }
}
