import KitchenSinkAPI
import Trellis
import TrellisTesting

/// The kitchen sink has no hand-written hooks: its generated tests run against the generated API
/// as it is, with the one custom action its specs declare. Everything else in this target is
/// generated from ../specs by `TrellisTestPlugin`.
enum AppUnderTest: SpecTestApp {
    static func api() -> GeneratedAPI { GeneratedAPI(actions: GeneratedAPI.Actions(article: Publishing())) }
}

/// `POST /api/v1/articles/{id}/publish`: the article becomes `published`.
struct Publishing: ArticleActions {
    func publish(_ article: inout Article, input: ArticlePublishInput, context: ActionContext) async throws {
        article.state = .published
    }
}
